"""Issue 10.11: five processes on one store take fair turns (a first-come, first-served
line beside the file): none is refused (StoreBusy), none starves.

How long a turn takes depends on the machine's load (on a loaded 2-core runner five
processes' turns can outlast the 10 s default wait), so the five processes get a wait no
load reaches: the test checks that turns go round, not how fast; ``bench/store_sharing.py``
measures the waits at the default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wfbench.workbench import Workbench

pytestmark = pytest.mark.slow

PING = {
    "format": "wfbench/v1",
    "name": "Ping",
    "run_as": "read_only",
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "p"}}],
}

WORKER = """
import json, sys, time
from wfbench.errors import StoreBusy
from wfbench.workbench import Workbench

wb = Workbench(sys.argv[1])
end = time.monotonic() + float(sys.argv[2])
done = busy = 0
waits = []
while time.monotonic() < end:
    t = time.monotonic()
    try:
        wb.run("Ping", {})
        wb.runs(limit=20)
        with wb.hold():               # a longer hold, as an import would
            for _ in range(5):
                wb.workflows()
        done += 1
    except StoreBusy:
        busy += 1
    waits.append(time.monotonic() - t)
print(json.dumps({"done": done, "busy": busy, "max": max(waits)}))
"""


def test_five_processes_share_a_store_without_store_busy(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    wb = Workbench(path)
    wb.init()
    wb.save(PING)
    wb.close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(WORKER), str(path), "8"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "WFBENCH_LOCK_TIMEOUT": "300"},  # turns, not speed
        )
        for _ in range(5)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert [r["busy"] for r in results] == [0] * 5
    assert all(r["done"] >= 1 for r in results), results  # nobody starved
    total = sum(r["done"] for r in results)
    assert len(Workbench(path).runs("Ping")) >= total


def test_a_store_kept_open_lets_go_when_another_process_waits(tmp_path: Path) -> None:
    path = tmp_path / "kept.duckdb"
    wb = Workbench(path)
    wb.init()
    wb.save(PING)
    wb.access.keep_open(60)
    wb.run("Ping", {})
    assert wb._store._con is not None  # still open after the call: kept
    code = "import sys; from wfbench.workbench import Workbench; "
    code += "print(len(Workbench(sys.argv[1], lock_timeout=10).runs()))"
    other = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60
    )
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "1"
    assert wb._store._con is None  # let go for the other process
    wb.run("Ping", {})  # and opened again
    assert len(wb.runs()) == 2
    wb.close()
