"""Issue 10.6: ``timeout_s`` is enforced while a custom action runs; a side effect is not
repeated by ``retry``.

Each case runs in its own process (``fixtures/timeout_run.py``) so that a handler that
hangs for ever fails the case instead of the suite.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import FIXTURES

SCRIPT = FIXTURES / "timeout_run.py"


def _run(tmp_path: Path, settings: dict[str, Any], wait: float = 120) -> dict[str, Any]:
    """The script's report, or ``{"hung": True}`` when none came within ``wait`` seconds
    (a bound for a run that never ends: the process's start-up counts in it, so it is
    generous enough for a loaded machine)."""
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), str(tmp_path / "t.duckdb"), json.dumps(settings)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], wait)
        line = proc.stdout.readline() if ready else ""
        if not line:
            return {"hung": True}
        report: dict[str, Any] = json.loads(line)
        return report
    finally:
        proc.kill()
        _, err = proc.communicate(timeout=10)
        if err and "Traceback" in err:
            print(err[-3000:])


def _step(report: dict[str, Any], node: str = "slow") -> dict[str, Any]:
    return next(s for s in report["steps"] if s["node"] == node)


def test_sleeping_handler_stopped_near_deadline(tmp_path: Path) -> None:
    report = _run(tmp_path, {"mode": "sleep", "timeout_s": 0.5})
    assert "hung" not in report
    step = _step(report)  # the handler sleeps until the run ends: the deadline ended it
    assert step["status"] == "failed" and "timed out" in (step["error"] or ""), step


def test_hanging_handler_does_not_hang_the_run(tmp_path: Path) -> None:
    report = _run(tmp_path, {"mode": "hang", "timeout_s": 0.5})
    assert "hung" not in report, "no answer within 120 s of a 0.5 s timeout"
    step = _step(report)
    assert step["status"] == "failed" and "timed out" in (step["error"] or ""), step
    assert report["status"] == "failed"


@pytest.mark.slow
def test_busy_handler_stopped_near_deadline(tmp_path: Path) -> None:
    report = _run(tmp_path, {"mode": "busy", "timeout_s": 0.5})
    assert "hung" not in report
    assert "timed out" in (_step(report)["error"] or "")  # it spins until the run ends


def test_retry_does_not_repeat_a_side_effect(tmp_path: Path) -> None:
    report = _run(
        tmp_path,
        {
            "mode": "late-effect",
            "timeout_s": 0.5,
            "retry": {"max_attempts": 3, "backoff_s": 0},
            "settle": True,  # every call still running after its deadline may finish
        },
    )
    assert "hung" not in report
    assert report["effects"] <= 1, f"the side effect happened {report['effects']} times"


def test_cooperative_handler_times_out(tmp_path: Path) -> None:
    """Regression guard: ``ctx.sleep`` honours the deadline."""
    report = _run(tmp_path, {"mode": "cooperative", "timeout_s": 0.5})
    assert "hung" not in report  # ctx.sleep(60) gave up at the 0.5 s deadline
    step = _step(report)
    assert step["status"] == "failed", step
    assert "time" in (step["error"] or ""), step


@pytest.mark.slow
def test_quick_handler_within_deadline_succeeds_once(tmp_path: Path) -> None:
    report = _run(
        tmp_path,
        {"mode": "quick", "timeout_s": 2, "retry": {"max_attempts": 3, "backoff_s": 0}},
    )
    assert report["status"] == "succeeded", report
    assert report["effects"] == 1
