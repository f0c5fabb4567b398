"""New directory ids come from sequences (issue 12, item 5): after the ids already there,
never given twice (not after a rollback either), and a dry run names the real run's id."""

from __future__ import annotations

from pathlib import Path

import duckdb

from wfbench.directory import Directory, create_directory
from wfbench.directory.schema import ID_FORMATS, id_sequence

from .support import clock, one


def test_every_id_table_has_its_sequence(con: duckdb.DuckDBPyConnection) -> None:
    names = {n for (n,) in con.execute("SELECT sequence_name FROM duckdb_sequences()").fetchall()}
    assert {id_sequence(t) for t in ID_FORMATS} <= names


def test_ids_follow_the_seeded_ones_and_are_never_reused(con: duckdb.DuckDBPyConnection) -> None:
    d = Directory(con, run_id="r", clock=clock)
    assert d.send_email("a@example.com", "1", "").message_id == "msg_000001"
    con.begin()
    assert d.send_email("b@example.com", "2", "").message_id == "msg_000002"
    con.rollback()  # the row is gone, its id is not given again: a gap, never a clash
    assert d.send_email("c@example.com", "3", "").message_id == "msg_000003"
    assert one(con, "SELECT list(id ORDER BY id) FROM outbox") == ["msg_000001", "msg_000003"]
    group = d.create_group("release-managers", "")
    assert group.id == "g_16"  # the demo seeds g_01 … g_15
    user = d.create_user("Grace", "Hopper", "grace.hopper@example.com", "it")
    assert user.id == "u_0241"  # … and 240 users


def test_a_dry_run_names_the_id_the_real_run_gets(con: duckdb.DuckDBPyConnection) -> None:
    real = Directory(con, run_id="real", clock=clock)
    real.send_email("a@example.com", "1", "")  # msg_000001
    sandbox = con.cursor()
    sandbox.begin()
    dry = Directory(sandbox, run_id="dry", clock=clock, dry_run=True)
    assert dry.send_email("b@example.com", "2", "").message_id == "msg_000002"
    assert dry.send_email("c@example.com", "3", "").message_id == "msg_000003"
    sandbox.rollback()
    assert real.send_email("b@example.com", "2", "").message_id == "msg_000002"


def test_a_directory_made_before_sequences_gets_them_after_its_ids(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    create_directory(con)
    for table in ID_FORMATS:
        con.execute(f"DROP SEQUENCE {id_sequence(table)}")
    con.execute(
        "INSERT INTO outbox VALUES "
        "('msg_000041', 'a@example.com', 's', 'b', NULL, now()::TIMESTAMP)"
    )
    create_directory(con)  # what opening the store does
    d = Directory(con, run_id="r", clock=clock)
    assert d.send_email("x@example.com", "s", "").message_id == "msg_000042"
    con.close()
