"""The batch's group commit (issue 22, item 1): many runs' records in one transaction, each
run told only once its records are committed, one run's bad record costing no other run."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb
import pytest

from wfbench.store import Store
from wfbench.store.group_commit import GroupCommit


def _wait_for(condition: object, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.001)


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
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
        threads[0].start()
        _wait_for(lambda: group._leading, "the first run to lead")
        for t in threads[1:]:
            t.start()
        _wait_for(lambda: len(group._waiting) == 5, "five runs waiting")
        release.set()
        for t in threads:
            t.join(10)
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
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(5)]
        threads[0].start()
        _wait_for(lambda: group._leading, "the first run to lead")
        for t in threads[1:]:
            t.start()
        _wait_for(lambda: len(group._waiting) == 4, "four runs waiting")
        release.set()
        for t in threads:
            t.join(10)
        rows = sorted(r for (r,) in cur.execute("SELECT run FROM t").fetchall())
    assert list(errors) == [3] and "nowhere" in str(errors[3])
    assert rows == [0, 1, 2, 4]
