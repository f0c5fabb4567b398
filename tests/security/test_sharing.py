"""Issue 10.11: a process in line gets the store between another's back-to-back holds.
(Five processes taking turns: ``tests/store/test_sharing.py``; how fast, at the default
wait: ``bench/store_sharing.py``.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GREEDY = """
import sys, time
from wfbench import Workbench
wb = Workbench(sys.argv[1])
end = time.monotonic() + float(sys.argv[2])
print("start", flush=True)
while time.monotonic() < end:
    with wb.hold():  # short holds, back to back: a fair lock lets a waiter in between
        wb.runs(limit=1)
        time.sleep(0.2)
"""


@pytest.mark.slow
def test_waiter_gets_its_turn_against_back_to_back_holds(demo_store: Path) -> None:
    """A command in line gets the store between another process's back-to-back holds, at
    the default wait, while that process still holds on (not once it has stopped)."""
    env = {k: v for k, v in os.environ.items() if k != "WFBENCH_LOCK_TIMEOUT"}
    wfbench = [str(Path(sys.executable).parent / "wfbench"), "--db", str(demo_store), "list"]
    greedy = subprocess.Popen(
        [sys.executable, "-c", GREEDY, str(demo_store), "600"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert greedy.stdout is not None
        assert greedy.stdout.readline().strip() == "start"
        done = subprocess.run(wfbench, capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr
        assert "Offboard contractor" in done.stdout
        assert greedy.poll() is None  # it got in while the greedy one still took turns
    finally:
        greedy.kill()
        greedy.communicate(timeout=10)
