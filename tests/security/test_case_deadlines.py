"""Issue 19.9: a cases file cannot hang ``wfbench test`` (or CI).

Before: a case whose workflow waits (``core.wait 3600``) or loops for long had no time
bound. Now ``core.wait`` in a case takes no real time (the wait is recorded), and every
case has a deadline (its own ``timeout_s``, ``--timeout``, else 30 s) past which its
run is cancelled and the case fails saying so.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .conftest import cli_subprocess, workflow


def _files(tmp_path: Path, steps: list[dict[str, object]], case: dict[str, object]) -> Path:
    flow = tmp_path / "slow.json"
    flow.write_text(json.dumps(workflow(steps, name="Slow")))
    (tmp_path / "slow.cases.json").write_text(json.dumps([case]))
    return flow


def test_core_wait_takes_no_real_time_in_a_case(tmp_path: Path) -> None:
    steps = [{"id": "w", "kind": "action", "action": "core.wait", "with": {"seconds": 3600}}]
    flow = _files(tmp_path, steps, {"name": "waits an hour", "expect": {"status": "succeeded"}})
    try:
        done = cli_subprocess("--db", str(tmp_path / "s.duckdb"), "test", str(flow), timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("wfbench test waited in real time")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_case_past_its_deadline_fails(tmp_path: Path) -> None:
    inner = {
        "id": "inner",
        "kind": "loop",
        "items": "{{ [1] * 10000 }}",
        "as": "j",
        "max_iterations": 10000,
        "steps": [{"id": "s", "kind": "action", "action": "core.set", "with": {"value": 1}}],
    }
    outer = {
        "id": "outer",
        "kind": "loop",
        "items": "{{ [1] * 10000 }}",
        "as": "i",
        "max_iterations": 10000,
        "steps": [inner],
    }
    flow = _files(tmp_path, [outer], {"name": "loops long", "expect": {"status": "succeeded"}})
    try:
        done = cli_subprocess(
            "--db", str(tmp_path / "s.duckdb"), "test", str(flow), "--timeout", "1", timeout=90
        )
    except subprocess.TimeoutExpired:
        pytest.fail("wfbench test ran past every bound")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "deadline of 1 s" in done.stdout
