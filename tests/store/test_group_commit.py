"""The batch's group commit (issue 22, item 1): many runs' records in one transaction, each
run told only once its records are committed, one run's bad record costing no other run; the
records through appenders held on a cursor that closes with the store's connection."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from wfbench.store import Store
from wfbench.store.group_commit import GroupCommit, Records


def _wait_for(condition: object, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.001)


def _behind_a_leader(
    group: GroupCommit,
    writer: Callable[[int], None],
    n: int,
    release: threading.Event,
    meanwhile: Callable[[], object] = lambda: None,
) -> None:
    """``writer(0)`` first, until it leads a commit (its write waits for ``release``); then
    ``writer(1)`` … ``writer(n - 1)``, until all of them wait for the next commit; then
    ``meanwhile()``, ``release`` and every thread joined."""
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(n)]
    threads[0].start()
    _wait_for(lambda: group._leading, "the first run to lead")
    for t in threads[1:]:
        t.start()
    _wait_for(lambda: len(group._waiting) == n - 1, f"{n - 1} runs waiting")
    meanwhile()
    release.set()
    for t in threads:
        t.join(10)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "wfbench.duckdb")
    with s.session() as cur:
        cur.execute("CREATE TABLE t (run INTEGER)")
    return s


def test_runs_waiting_while_one_commits_go_together_and_each_returns_committed(
    store: Store, tmp_path: Path
) -> None:
    group = GroupCommit(store)
    release = threading.Event()
    seen: dict[int, int] = {}

    def first(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("INSERT INTO t VALUES (0)")
        release.wait(10)

    def writer(i: int) -> None:
        def write(con: duckdb.DuckDBPyConnection) -> None:
            con.execute("INSERT INTO t VALUES (?)", [i])

        group.write(write if i else first)
        # returned: committed, so another connection sees it
        with store.session() as cur:
            seen[i] = cur.execute("SELECT count(*) FROM t WHERE run = ?", [i]).fetchone()[0]

    with store.session():
        _behind_a_leader(group, writer, 6, release)
    assert seen == dict.fromkeys(range(6), 1)
    assert group.commits == 2  # the first alone, then the five that waited, together


def test_a_failing_record_fails_its_own_run_only(store: Store) -> None:
    group = GroupCommit(store)
    errors: dict[int, BaseException] = {}
    release = threading.Event()

    def writer(i: int) -> None:
        def write(con: duckdb.DuckDBPyConnection) -> None:
            if i == 0:
                release.wait(10)
            con.execute(
                "INSERT INTO t VALUES (?)" if i != 3 else "INSERT INTO nowhere VALUES (?)", [i]
            )

        try:
            group.write(write)
        except duckdb.Error as exc:
            errors[i] = exc

    with store.session() as cur:
        _behind_a_leader(group, writer, 5, release)
        rows = sorted(r for (r,) in cur.execute("SELECT run FROM t").fetchall())
    assert list(errors) == [3] and "nowhere" in str(errors[3])
    assert rows == [0, 1, 2, 4]


def _run(run_id: str, status: str = "running") -> dict[str, object]:
    return {
        "run_id": run_id,
        "workflow": "Call",
        "status": status,
        "input": {"n": 1},
        "started_at": T0,
        **({"ended_at": T0, "duration_ms": 1.0} if status != "running" else {}),
    }


def _step(run_id: str, status: str = "succeeded") -> dict[str, object]:
    return {
        "run_id": run_id,
        "seq": 1,
        "node": "call",
        "path": "call",
        "kind": "action",
        "action": "http.request",
        "status": status,
        "output": {"ok": True},
        "started_at": T0,
        "ended_at": T0,
    }


T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_records_of_a_group_land_in_their_tables(store: Store) -> None:
    group = GroupCommit(store)
    mark = {"run_id": "r1", "seq": 1, "action": "http.request", "idempotent": False}
    with store.session() as cur:
        group.write(Records(starts=[_run("r1")], marks=[mark]))
        group.write(Records(starts=[_run("r2", "failed")], steps=[_step("r2", "failed")]))
        end = {
            "run_id": "r1",
            "status": "succeeded",
            "output": {"call": 1},
            "error": None,
            "ended_at": T0,
            "duration_ms": 5.0,
        }
        group.write(Records(steps=[_step("r1")], ends=[end]))
        runs = cur.execute("SELECT run_id, status, output FROM runs ORDER BY run_id").fetchall()
        steps = cur.execute("SELECT run_id, status, output FROM steps ORDER BY run_id").fetchall()
        marks = cur.execute("SELECT * FROM effects").fetchall()
    assert runs == [("r1", "succeeded", '{"call": 1}'), ("r2", "failed", None)]
    assert steps == [("r1", "succeeded", '{"ok": true}'), ("r2", "failed", '{"ok": true}')]
    assert marks == [("r1", 1, "http.request", False)]
    assert store.effects_started(["r1", "r2"]) == {"r1": ["http.request"]}
    assert group.commits == 3


def test_a_bad_record_fails_its_own_run_and_the_group_writes_the_others(store: Store) -> None:
    group = GroupCommit(store)
    errors: dict[int, BaseException] = {}
    release = threading.Event()

    def first(con: duckdb.DuckDBPyConnection) -> None:
        release.wait(10)

    def writer(i: int) -> None:
        records = Records(
            starts=[_run(f"r{i}")], steps=[_step(f"r{i}", "done" if i == 2 else "succeeded")]
        )
        try:
            group.write(first if i == 0 else records)
        except ValueError as exc:
            errors[i] = exc

    with store.session() as cur:
        _behind_a_leader(group, writer, 5, release)
        runs = sorted(r for (r,) in cur.execute("SELECT run_id FROM runs").fetchall())
        steps = sorted(r for (r,) in cur.execute("SELECT run_id FROM steps").fetchall())
    assert list(errors) == [2] and "step status must be one of" in str(errors[2])
    assert runs == steps == ["r1", "r3", "r4"]  # r2's row went with its bad step: neither


def test_the_groups_cursor_lets_go_of_the_file_with_the_store(tmp_path: Path) -> None:
    db = tmp_path / "held.duckdb"
    store = Store(db, lock_timeout=0)
    group = GroupCommit(store)
    probe = f"import duckdb; duckdb.connect({str(db)!r}).close()"
    with store.session():
        group.write(Records(starts=[_run("r1")]))
        kept = store.kept_cursor(group)
        assert store.kept_cursor(group) is kept  # the same one while the file is open
    # the group's cursor (and its appenders) closed with the connection: the file is free
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0
    with store.session():
        assert store.kept_cursor(group) is not kept
        group.write(Records(starts=[_run("r2")]))  # new appenders on the new cursor
        assert len(store.runs()) == 2


def test_when_the_groups_cursor_fails_every_run_of_the_group_hears_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No run may take its records for committed when its group never got to commit."""
    group = GroupCommit(store)
    errors: dict[int, BaseException] = {}
    release = threading.Event()

    def first(con: duckdb.DuckDBPyConnection) -> None:
        release.wait(10)

    def writer(i: int) -> None:
        try:
            group.write(first if i == 0 else Records(starts=[_run(f"r{i}")]))
        except duckdb.Error as exc:
            errors[i] = exc

    def broken(owner: object) -> duckdb.DuckDBPyConnection:
        raise duckdb.ConnectionException("the connection went away")

    with store.session() as cur:
        # the next group gets a broken cursor
        _behind_a_leader(
            group, writer, 4, release, lambda: monkeypatch.setattr(store, "kept_cursor", broken)
        )
        assert cur.execute("SELECT count(*) FROM runs").fetchone() == (0,)
    assert sorted(errors) == [1, 2, 3]
    assert all("went away" in str(e) for e in errors.values())
