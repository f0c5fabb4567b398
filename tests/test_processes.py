"""Several real processes on one store file: a crash mid-run, and sharing the file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from wfbench.workbench import Workbench

WFBENCH = shutil.which("wfbench", path=str(Path(sys.executable).parent)) or "wfbench"

SUSPEND_ALL = {
    "format": "wfbench/v1",
    "name": "Suspend everyone slowly",
    "run_as": "help_desk",
    "steps": [
        {
            "id": "people",
            "kind": "action",
            "action": "users.search",
            "with": {"status": "active", "limit": 200},
        },
        {
            "id": "each",
            "kind": "loop",
            "items": "{{ steps.people.output.users }}",
            "as": "u",
            "max_iterations": 200,
            "steps": [
                {
                    "id": "suspend",
                    "kind": "action",
                    "action": "users.suspend",
                    "with": {"user_id": "{{ u.id }}"},
                },
                {"id": "pause", "kind": "action", "action": "core.wait", "with": {"seconds": 0.02}},
            ],
        },
    ],
}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "shared.duckdb"
    wb = Workbench(path)
    wb.init(demo=True)
    wb.save(SUSPEND_ALL)
    wb.save(
        {
            "format": "wfbench/v1",
            "name": "Ping",
            "run_as": "read_only",
            "steps": [
                {"id": "log", "kind": "action", "action": "core.log", "with": {"message": "ping"}}
            ],
        }
    )
    return path


def python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:  # never leave a process behind, whatever the test did
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def test_a_killed_run_is_interrupted_and_no_effect_lacks_its_record(
    store: Path, procs: list[subprocess.Popen[str]]
) -> None:
    before = set(Workbench(store).sql("select id from users where status = 'suspended'")["id"])
    proc = python(
        """
        import sys
        from wfbench.engine import Hooks
        from wfbench.workbench import Workbench

        class Say(Hooks):
            def step_finished(self, *, run, step, durable):
                print(step.node, step.status, flush=True)

        Workbench(sys.argv[1]).run("Suspend everyone slowly", hooks=[Say()])
        """,
        str(store),
    )
    procs.append(proc)
    assert proc.stdout is not None
    suspended_lines = 0
    deadline = time.monotonic() + 60
    while suspended_lines < 40 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        suspended_lines += line.startswith("suspend succeeded")
    assert suspended_lines >= 40, proc.stderr.read() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(10) == -signal.SIGKILL

    wb = Workbench(store)
    run = wb.runs("Suspend everyone slowly").iloc[0]
    assert run["status"] == "interrupted"
    assert "unfinished" in run["error"]
    recorded = wb.sql(
        "select params->>'user_id' as id from steps where run_id = ? and "
        "node = 'suspend' and status = 'succeeded'",
        [run["run_id"]],
    )
    after = set(wb.sql("select id from users where status = 'suspended'")["id"])
    # Changes and records commit together, and a step is told only once committed (here
    # before every wait, which may block): every suspend printed is there, with its record.
    assert len(after - before) >= 40
    # every change in the directory has its step record, and the other way round
    assert after - before == set(recorded["id"])


def test_the_cli_shares_the_file_with_a_workbench_in_another_process(
    store: Path, procs: list[subprocess.Popen[str]]
) -> None:
    proc = python(
        """
        import sys, time
        from wfbench.workbench import Workbench

        wb = Workbench(sys.argv[1])
        end = time.monotonic() + 6
        count = 0
        while time.monotonic() < end:
            wb.run("Ping")          # holds the file only during the run
            len(wb.runs())          # ... and during a read
            count += 1
            if count == 1:
                print("running", flush=True)
            time.sleep(0.05)
        print(count, flush=True)
        """,
        str(store),
    )
    procs.append(proc)
    env = {**os.environ, "WFBENCH_DB": str(store), "WFBENCH_LOCK_TIMEOUT": "20"}
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "running"  # it has the file in use by now
    for _ in range(3):
        runs = subprocess.run(
            [WFBENCH, "runs", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert runs.returncode == 0, runs.stderr
        assert isinstance(json.loads(runs.stdout), list)
        started = subprocess.run(
            [WFBENCH, "run", "Ping", "--input", "{}", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert started.returncode == 0, started.stderr
        assert json.loads(started.stdout)["status"] == "succeeded"
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    history = Workbench(store).runs("Ping")
    assert set(history["started_by"]) == {"notebook", "cli"}
    assert (history["started_by"] == "cli").sum() == 3
    assert (history["started_by"] == "notebook").sum() == int(out)


def test_a_clear_error_when_another_process_holds_the_file_too_long(
    store: Path, procs: list[subprocess.Popen[str]]
) -> None:
    proc = python(
        """
        import sys, time
        from wfbench.workbench import Workbench

        wb = Workbench(sys.argv[1])
        with wb.hold():
            wb.runs()
            print("holding", flush=True)
            time.sleep(30)
        """,
        str(store),
    )
    procs.append(proc)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    env = {**os.environ, "WFBENCH_DB": str(store), "WFBENCH_LOCK_TIMEOUT": "0.5"}
    started = time.monotonic()
    result = subprocess.run(
        [WFBENCH, "runs"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    waited = time.monotonic() - started
    assert result.returncode == 4
    assert f"process {proc.pid}" in result.stderr
    assert "WFBENCH_LOCK_TIMEOUT" in result.stderr
    assert waited >= 0.5
    proc.kill()
    proc.wait(10)
    assert len(Workbench(store).runs()) == 0  # nothing lost or corrupted
