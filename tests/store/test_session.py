"""wfbench.store.session: sessions, transactions, turns between processes, interrupted runs."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from wfbench.errors import StoreBusy, WfbenchError
from wfbench.store import Store

from .support import T0, run_record, step, workflow

# ---------------------------------------------------------------- sessions and transactions


def test_write_steps_joins_the_callers_transaction(store: Store) -> None:
    store.begin_run({"run_id": "r"})
    with store.session() as cur:
        cur.begin()
        store.write_steps([step("r", 1), step("r", 2)])
        assert len(cur.execute("SELECT * FROM steps").fetchall()) == 2  # visible inside
        cur.rollback()
        assert store.steps("r").empty

        cur.begin()
        store.write_steps([step("r", 1)])
        cur.commit()
    assert store.steps("r")["seq"].tolist() == [1]


def test_a_save_joins_the_callers_transaction(store: Store) -> None:
    with store.session() as cur:
        cur.begin()
        store.save_definition(workflow("A"))
        assert store.find_workflow("A") is not None
        cur.rollback()
        assert store.find_workflow("A") is None
        cur.begin()
        info = store.save_definition(workflow("A"))
        cur.commit()
    assert store.get_workflow("A") == info
    assert store.get_definition("A")[1].name == "A"


def test_a_failed_save_rolls_back_inside_a_callers_session(store: Store) -> None:
    store.save_definition(workflow("A"))
    with store.session():
        with pytest.raises(WfbenchError):
            store.save_definition(workflow("a"))
        assert store.sql("SELECT count(*) AS n FROM workflow_versions")["n"][0] == 1


def test_sessions_nest_and_threads_get_their_own_cursor(store: Store) -> None:
    with pytest.raises(RuntimeError, match="only valid inside"):
        store.cursor()
    with store.session() as outer:
        with store.session() as inner:
            assert inner is outer
            assert store.cursor() is outer
        seen: list[duckdb.DuckDBPyConnection] = []

        def work() -> None:
            with store.session() as cur:
                seen.append(cur)
                store.begin_run({"run_id": f"t{threading.get_ident()}"})

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({id(c) for c in seen}) == 4
        assert all(c is not outer for c in seen)
    assert len(store.runs()) == 4


def test_a_file_is_free_between_calls_and_held_in_a_session(db: Path) -> None:
    store = Store(db, lock_timeout=0)
    store.save_definition(workflow())
    probe = f"import duckdb; duckdb.connect({str(db)!r}).close()"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0
    with store.session():
        held = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
        assert held.returncode != 0
        assert "Could not set lock" in held.stderr
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0


def test_a_store_in_memory_outlives_a_warm_block(memory_store: Store) -> None:
    """A batch keeps the file warm between its runs and lets go at its end; a store in
    memory has no file to let go of, and once lost its whole database with it."""
    info = memory_store.save_definition(workflow(), workflow_id=None, saved_by="t")
    with memory_store.warm(), memory_store.session():
        pass
    assert memory_store.find_by_name(info.name) == info


def test_unopenable_files_say_what_to_do(tmp_path: Path) -> None:
    junk = tmp_path / "notes.duckdb"
    junk.write_text("not a database " * 200)
    with pytest.raises(WfbenchError, match="not a wfbench store") as err:
        Store(junk).list_workflows()
    assert str(junk) in str(err.value)
    with pytest.raises(WfbenchError, match="folder does not exist"):
        Store(tmp_path / "missing" / "wfbench.duckdb").list_workflows()


def test_lock_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WFBENCH_LOCK_TIMEOUT", "2.5")
    assert Store().lock_timeout == 2.5
    assert Store(lock_timeout=1).lock_timeout == 1
    monkeypatch.setenv("WFBENCH_LOCK_TIMEOUT", "soon")
    with pytest.raises(WfbenchError, match="must be a number of seconds"):
        Store()


# ---------------------------------------------------------------- interrupted runs


def test_a_run_left_unfinished_is_interrupted_on_reopen(db: Path) -> None:
    first = Store(db)
    info = first.save_definition(workflow())
    first.begin_run(run_record("left", info))
    first.begin_run(run_record("queued", info, status="queued"))
    first.begin_run(run_record("done", info))
    first.finish_run(
        "done", status="succeeded", output=None, error=None, ended_at=T0, duration_ms=1
    )
    first.close()  # the first store is gone without finishing "left" and "queued"

    second = Store(db)
    for run_id in ("left", "queued"):
        run = second.get_run(run_id)
        assert run["status"] == "interrupted"
        assert run["error"] == (
            "found unfinished when the store was reopened; the process running it ended"
        )
    assert second.get_run("done")["status"] == "succeeded"


def test_a_crashed_process_leaves_an_interrupted_run(db: Path) -> None:
    script = f"""
import os
from wfbench.store import Store
s = Store({str(db)!r})
s.begin_run({{"run_id": "crashed", "workflow": "Greet"}})
os._exit(9)
"""
    subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    assert Store(db).get_run("crashed")["status"] == "interrupted"


def test_runs_active_in_this_process_are_not_interrupted(db: Path) -> None:
    runner = Store(db)
    runner.begin_run({"run_id": "live"})  # the file is closed again after this call
    viewer = Store(db)  # a second store on the same file, in the same process
    assert viewer.get_run("live")["status"] == "running"
    with runner.session():  # reopening the runner's own store leaves it alone too
        assert runner.get_run("live")["status"] == "running"
    runner.finish_run("live", status="succeeded", output=1, error=None, ended_at=T0, duration_ms=1)
    assert Store(db).get_run("live")["status"] == "succeeded"


# ---------------------------------------------------------------- two processes


@pytest.fixture
def holder(db: Path) -> Iterator[Callable[[str], subprocess.Popen[str]]]:
    """Start a process that holds a session on ``db``; always cleaned up. ``until`` is
    ``"a waiter"`` (it lets go once another process has taken its ticket in the line,
    and says so) or ``"killed"``."""
    procs: list[subprocess.Popen[str]] = []

    def start(until: str) -> subprocess.Popen[str]:
        script = f"""
import time
from wfbench.store import Store
from wfbench.store.turns import line_for
s = Store({str(db)!r})
with s.session():
    print("held", flush=True)
    line, deadline = line_for(s.path), time.monotonic() + 120
    while time.monotonic() < deadline:
        if {until!r} == "a waiter" and line.others_waiting():
            print("let go for a waiter", flush=True)
            break
        time.sleep(0.01)
"""
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "held"
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.slow
def test_a_held_file_is_waited_for(db: Path, holder: Callable[[str], Any]) -> None:
    """The holder lets go only once this store has taken its place in the line: the save
    can only succeed by waiting (60 s bounds a wait that never ends, nothing else)."""
    Store(db).initialize()
    proc = holder("a waiter")
    info = Store(db, lock_timeout=60).save_definition(workflow())
    assert info.version == 1
    assert proc.stdout.readline().strip() == "let go for a waiter"


@pytest.mark.slow
def test_a_file_held_too_long_is_store_busy(db: Path, holder: Callable[[str], Any]) -> None:
    Store(db).initialize()
    proc = holder("killed")  # held for good: StoreBusy can only come from the bounded wait
    start = time.monotonic()
    with pytest.raises(StoreBusy) as err:
        Store(db, lock_timeout=0.3).list_workflows()
    assert time.monotonic() - start >= 0.3  # it did wait its lock_timeout first
    message = str(err.value)
    assert f"the store {db} is in use by process {proc.pid} (" in message
    assert "wfbench.store" in message  # its command line, read from /proc
    assert "lock_timeout / $WFBENCH_LOCK_TIMEOUT" in message


def test_a_holders_command_line_is_shown_escaped_and_cut() -> None:
    from wfbench.store.session import _process_cmdline

    arg = "\x1b[31mred\u202eevil" + "x" * 400
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", arg])
    try:
        deadline = time.monotonic() + 10
        shown = _process_cmdline(proc.pid)
        while (shown is None or "red" not in shown) and time.monotonic() < deadline:
            time.sleep(0.05)
            shown = _process_cmdline(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    assert shown is not None
    assert "\\x1b[31mred\\u202eevil" in shown
    assert all(c.isprintable() for c in shown)
    assert len(shown) == 200
