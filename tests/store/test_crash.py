"""kill -9 at any moment of a run started by the CLI: every step the CLI printed as
finished is in history (with its directory change), and the run reads ``interrupted``."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from wfbench.workbench import Workbench

pytestmark = pytest.mark.slow

WFBENCH = shutil.which("wfbench", path=str(Path(sys.executable).parent)) or "wfbench"
CONTRACTOR = "contractor"


def _workflow(name: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format": "wfbench/v1", "name": name, "run_as": "help_desk", "steps": steps}


SUSPEND_THEN_WAIT = _workflow(
    "Suspend then wait",
    [
        {"id": "who", "kind": "action", "action": "users.get", "with": {"id": "{{ input.id }}"}},
        {
            "id": "suspend",
            "kind": "action",
            "action": "users.suspend",
            "with": {"user_id": "{{ steps.who.output.id }}"},
        },
        {"id": "pause", "kind": "action", "action": "core.wait", "with": {"seconds": 20}},
    ],
)
MANY_QUICK = _workflow(
    "Many quick reads",
    [
        {"id": "people", "kind": "action", "action": "users.search", "with": {"limit": 200}},
        {
            "id": "each",
            "kind": "loop",
            "items": "{{ steps.people.output.users }}",
            "as": "u",
            "max_iterations": 200,
            "steps": [
                {
                    "id": "read",
                    "kind": "action",
                    "action": "users.get",
                    "with": {"id": "{{ u.id }}"},
                },
                {
                    "id": "note",
                    "kind": "action",
                    "action": "core.log",
                    "with": {"message": "{{ u.email }}"},
                },
            ],
        },
    ],
)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "crash.duckdb"
    wb = Workbench(path)
    wb.init(demo=True)
    for doc in (SUSPEND_THEN_WAIT, MANY_QUICK):
        wb.save(doc)
    wb.close()
    return path


def _cli_run(store: Path, name: str, input: str) -> subprocess.Popen[str]:
    env = {**os.environ, "WFBENCH_DB": str(store)}
    return subprocess.Popen(
        [WFBENCH, "run", name, "--input", input],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _read_until(proc: subprocess.Popen[str], want: int, pattern: str) -> list[str]:
    """Lines printed until ``want`` of them match ``pattern`` (or the process ends)."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if sum(bool(re.search(pattern, x)) for x in lines) >= want:
            break
    return lines


def _kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()


def _run_id(lines: list[str]) -> str:
    match = re.match(r"run (\S+) of ", lines[0])
    assert match, lines
    return match.group(1)


def test_a_step_printed_ok_before_a_long_wait_survives_kill_9(store: Path) -> None:
    user = Workbench(store).sql("select id from users where status = 'active' order by id limit 1")[
        "id"
    ][0]
    proc = _cli_run(store, "Suspend then wait", f'{{"id": "{user}"}}')
    try:
        lines = _read_until(proc, 1, r"^\s+ok\s.*\bsuspend\b")
    finally:
        _kill(proc)
    assert any(re.search(r"^\s+ok\s.*\bsuspend\b", x) for x in lines), lines
    wb = Workbench(store)
    run = wb.runs.get(_run_id(lines))
    assert run["status"] == "interrupted"
    steps = {s["node"]: s["status"] for s in run["steps"]}
    assert steps["suspend"] == "succeeded"
    status = wb.sql("select status from users where id = ?", [user])["status"][0]
    assert status == "suspended"


@pytest.mark.parametrize("after_lines", [1, 3, 40, 150])
def test_every_step_printed_is_in_history_after_kill_9(store: Path, after_lines: int) -> None:
    proc = _cli_run(store, "Many quick reads", "{}")
    try:
        lines = _read_until(proc, after_lines, r"^\s+ok\s")
    finally:
        _kill(proc)
    run_id = _run_id(lines)
    printed = [x.split()[-1] for x in lines if re.search(r"^\s+ok\s", x)]
    run = Workbench(store).runs.get(run_id)
    assert run["status"] in ("interrupted", "succeeded")
    recorded = [s["path"] for s in run["steps"] if s["status"] == "succeeded"]
    missing = [p for p in printed if p not in recorded]
    assert missing == [], f"printed ok but not in history: {missing[:5]}"


def test_a_run_killed_right_after_its_id_was_printed_reads_interrupted(store: Path) -> None:
    proc = _cli_run(store, "Many quick reads", "{}")
    try:
        lines = _read_until(proc, 1, r"^run ")
    finally:
        _kill(proc)
    run = Workbench(store).runs.get(_run_id(lines))
    assert run["status"] in ("interrupted", "succeeded")
