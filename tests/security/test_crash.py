"""Issue 10.5: kill -9 never loses a step the CLI reported finished.

A CLI run is killed (SIGKILL) at moments where README's commit policy is weakest: during
a long ``core.wait`` right after a ``users.suspend`` was printed ok, and within the first
0.2 s after the run id was printed. After reopening, the run must read ``interrupted``
and every step printed ok must be in history with its directory change.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from wfbench import Workbench

from .conftest import WFBENCH

OK_LINE = re.compile(r"^\s+ok\s+[\d.]+ ms\s+(\S+)")
RUN_LINE = re.compile(r"^run ([0-9a-f]+) of ")


def _import(store: Path, doc: dict[str, Any]) -> None:
    path = store.with_name(doc["name"].replace(" ", "_") + ".json")
    path.write_text(json.dumps(doc))
    done = subprocess.run(
        [WFBENCH, "--db", str(store), "import", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def _start(store: Path, name: str, value: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [WFBENCH, "--db", str(store), "run", name, "--input", json.dumps(value)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _read_until(proc: subprocess.Popen[str], pattern: re.Pattern[str], timeout: float) -> list:
    """Lines printed until one matches ``pattern`` (or the process ended / time ran out)."""
    assert proc.stdout is not None
    lines: list[str] = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([proc.stdout], [], [], max(end - time.monotonic(), 0))
        if not ready:
            break
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if pattern.search(line):
            break
    return lines


def _kill(proc: subprocess.Popen[str]) -> list[str]:
    proc.kill()  # SIGKILL
    out, _ = proc.communicate(timeout=20)
    return out.splitlines(keepends=True)


def _after_reopen(store: Path, run_id: str) -> tuple[dict[str, Any] | None, Workbench]:
    wb = Workbench(str(store))
    runs = wb.sql("select run_id from runs where run_id = ?", [run_id])
    return (wb.runs.get(run_id) if len(runs) else None), wb


def _active_users(store: Path, count: int) -> list[tuple[str, str]]:
    frame = Workbench(str(store)).sql(
        "select id, email from users where status = 'active' order by id limit ?", [count]
    )
    return [(str(a), str(b)) for a, b in frame.itertuples(index=False)]


SUSPEND_THEN_WAIT = {
    "format": "wfbench/v1",
    "name": "Suspend then wait",
    "type": "manual",
    "run_as": "manager",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["user_id"],
            "properties": {"user_id": {"type": "string"}},
        }
    },
    "steps": [
        {
            "id": "suspend",
            "kind": "action",
            "action": "users.suspend",
            "with": {"user_id": "{{ input.user_id }}"},
        },
        {"id": "pause", "kind": "action", "action": "core.wait", "with": {"seconds": 20}},
    ],
}

SUSPEND_MANY = {
    "format": "wfbench/v1",
    "name": "Suspend many",
    "type": "manual",
    "run_as": "manager",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["ids"],
            "properties": {"ids": {"type": "array", "items": {"type": "string"}}},
        }
    },
    "steps": [
        {
            "id": "each",
            "kind": "loop",
            "items": "{{ input.ids }}",
            "as": "uid",
            "max_iterations": 1000,
            "steps": [
                {
                    "id": "suspend",
                    "kind": "action",
                    "action": "users.suspend",
                    "with": {"user_id": "{{ uid }}"},
                }
            ],
        }
    ],
}


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))
def test_kill_during_wait_keeps_the_finished_suspend(demo_store: Path, attempt: int) -> None:
    _import(demo_store, SUSPEND_THEN_WAIT)
    user_id, email = _active_users(demo_store, 1 + attempt)[attempt]
    proc = _start(demo_store, "Suspend then wait", {"user_id": user_id})
    lines = _read_until(proc, re.compile(r"^\s+ok\s.*\bsuspend\b"), timeout=60)
    time.sleep(0.5)  # well into the 20 s wait, past the 0.25 s batch interval
    lines += _kill(proc)
    printed = [m.group(1) for line in lines if (m := OK_LINE.match(line))]
    assert "suspend" in printed, f"the suspend was never printed ok: {lines}"
    run_id = next(m.group(1) for line in lines if (m := RUN_LINE.match(line)))
    run, wb = _after_reopen(demo_store, run_id)
    assert run is not None, f"run {run_id} is not in history after kill -9"
    assert run["status"] == "interrupted", run["status"]
    step = next(s for s in run["steps"] if s["path"] == "suspend")
    assert step["status"] == "succeeded", step
    status = wb.sql("select status from users where id = ?", [user_id]).iloc[0, 0]
    assert status == "suspended", f"{email} is {status}: the directory change was lost"


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12])
def test_kill_in_first_moments_keeps_every_printed_step(demo_store: Path, delay: float) -> None:
    _import(demo_store, SUSPEND_MANY)
    users = _active_users(demo_store, 200)
    proc = _start(demo_store, "Suspend many", {"ids": [u for u, _ in users]})
    lines = _read_until(proc, OK_LINE, timeout=60)  # the run id, then the first step ok
    assert lines and OK_LINE.search(lines[-1]), f"no step printed ok: {lines}"
    time.sleep(delay)
    lines += _kill(proc)
    run_id = next(m.group(1) for line in lines if (m := RUN_LINE.match(line)))
    printed = [m.group(1) for line in lines if (m := OK_LINE.match(line))]
    run, wb = _after_reopen(demo_store, run_id)
    assert run is not None, f"run {run_id} vanished after kill -9 ({len(printed)} printed ok)"
    assert run["status"] in ("interrupted", "succeeded"), run["status"]
    recorded = {s["path"]: s for s in run["steps"]}
    lost = [p for p in printed if p not in recorded or recorded[p]["status"] != "succeeded"]
    assert not lost, f"{len(lost)} step(s) printed ok are not in history: {lost[:5]}"
    suspended = set(wb.sql("select id from users where status = 'suspended'")["id"].astype(str))
    for path in printed:
        index = int(re.search(r"\[(\d+)\]", path).group(1))  # type: ignore[union-attr]
        assert users[index][0] in suspended, f"{path}: recorded, but the suspend was lost"
