"""wfbench.directory (the package): seeding, the sandbox and the directory's permissions."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from wfbench.directory import DIRECTORY_TABLE_NAMES, Directory, sandbox, seed_demo
from wfbench.errors import WfbenchError


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in DIRECTORY_TABLE_NAMES
    }  # type: ignore[index]


def test_seeding_is_repeatable_and_refuses_a_second_time(tmp_path: Path) -> None:
    one, two = (duckdb.connect(str(tmp_path / f"{n}.duckdb")) for n in ("one", "two"))
    seeded = seed_demo(one)
    assert seeded == seed_demo(two)
    assert seeded["users"] > 0 and seeded["users"] == _counts(one)["users"]
    assert one.execute("SELECT list(id ORDER BY id) FROM users").fetchone() == (
        two.execute("SELECT list(id ORDER BY id) FROM users").fetchone()
    )
    with pytest.raises(WfbenchError, match=r"already holds .* users; .*use a fresh store"):
        seed_demo(one)


def test_a_sandboxs_writes_are_rolled_back(con: duckdb.DuckDBPyConnection) -> None:
    before = _counts(con)
    (user_id,) = con.execute("SELECT min(id) FROM users").fetchone()  # type: ignore[misc]
    with sandbox(con) as dry:
        dry.delete_user(user_id)
        assert dry.changes and dry.changes[0].startswith("would ")
    assert _counts(con) == before


def test_a_directory_checks_its_permissions_before_acting(
    con: duckdb.DuckDBPyConnection,
) -> None:
    (user_id,) = con.execute("SELECT min(id) FROM users").fetchone()  # type: ignore[misc]
    with pytest.raises(WfbenchError, match="users"):
        Directory(con, frozenset()).delete_user(user_id)
    assert con.execute("SELECT count(*) FROM users WHERE id = ?", [user_id]).fetchone() == (1,)
