"""A class in processes: a trainer's ``wfbench serve --class`` and N learners checking
exercises against it for a while. Used by tests/training/test_training_class.py (a few
seconds) and bench/classroom.py (a minute).

The trainer's store has the sample organisation and the hidden cases (loaded from the
trainer's folder). Each learner process works in a store of its own, saves a wrong
solution of exercise 2 first and the right one after its first round, checks the three
exercises again and again (each check runs the public cases in the learner's process and
sends the definition to the board, which runs the hidden ones and records the result),
and prints one JSON line per attempt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
EXERCISE_NAMES = ("1_lookup", "2_suspend", "3_pilot")
#: Where a learner key must be refused: every path and method but POST …/class/checks.
REFUSED = (
    ("POST", "/api/v2/class/results"),
    ("GET", "/api/v2/workflows"),
    ("POST", "/api/v2/workflows"),
    ("GET", "/api/v2/workflows/runs"),
    ("POST", "/api/v2/workflows/x/runs"),
    ("DELETE", "/api/v2/workflows/x"),
    ("GET", "/api/v2/class/results"),
    ("GET", "/api/v2/class/board"),
    ("PUT", "/api/v2/class/results"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/nowhere"),
)


def learner(seconds: float) -> None:
    """One learner (run in its own process; the class URL and key come from the env)."""
    sys.path.insert(0, str(HERE))
    from solutions import EXERCISES, LOOKUP, PILOT, SUSPEND, SUSPEND_EVERYONE

    from wfbench.training import Exercise
    from wfbench.workbench import Workbench

    wb = Workbench(":memory:")
    wb.init(demo=True)
    for flow in (LOOKUP, SUSPEND_EVERYONE, PILOT):
        wb.save(flow)
    exercises = [Exercise.load(EXERCISES / f"{n}.json") for n in EXERCISE_NAMES]
    end = time.monotonic() + seconds
    first = True
    while time.monotonic() < end:
        for exercise in exercises:
            result = exercise.check(wb)
            line = {
                "attempt": result.attempt,
                "exercise": result.exercise,
                "passed": result.passed,
                "answered": result.hidden_checked,
                "board": result.board,
                "hidden": [c.case for c in result.cases if c.hidden],
            }
            print(json.dumps(line), flush=True)
        if first:
            wb.save(SUSPEND)
            first = False


def call(url: str, method: str, path: str, key: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url + path,
        data=data,
        method=method,
        headers={"x-api-key": key, "content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _serve(db: Path) -> tuple[subprocess.Popen[str], str]:
    exe = Path(sys.executable).with_name("wfbench")
    server = subprocess.Popen(
        [str(exe), "--db", str(db), "serve", "--class", "--port", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    if " at http" not in line:
        server.kill()
        raise RuntimeError(
            f"the server did not start: {line}{server.stderr.read() if server.stderr else ''}"
        )
    url = line.split(" at ", 1)[1].split("/api/", 1)[0]
    return server, url


def run_class(folder: Path, *, learners: int = 5, seconds: float = 60.0) -> dict[str, Any]:
    """Run the class; what the learners posted, what the board holds, and the refusals."""
    sys.path.insert(0, str(HERE))
    from solutions import HIDDEN

    from wfbench.training import ClassBoard
    from wfbench.workbench import Workbench

    db = folder / "trainer.duckdb"
    trainer = Workbench(db)
    trainer.init(demo=True)  # the hidden cases run on the trainer's sample organisation
    board = ClassBoard(trainer)
    board.add_exercises(HIDDEN)
    keys = {f"learner{i}": board.add_learner(f"learner{i}") for i in range(1, learners + 1)}
    viewer = trainer.access.create_key("trainer", "viewer")
    server, url = _serve(db)
    try:
        procs = {
            name: subprocess.Popen(
                [sys.executable, str(Path(__file__)), "learner", str(seconds)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "WFBENCH_CLASS_URL": url, "WFBENCH_CLASS_KEY": key},
            )
            for name, key in keys.items()
        }
        posted: dict[str, list[dict[str, Any]]] = {}
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=seconds + 120)
            if proc.returncode:
                raise RuntimeError(f"{name} failed: {err}")
            posted[name] = [json.loads(line) for line in out.splitlines() if line.strip()]
        refused = {
            (method, path): call(url, method, path, key)[0]
            for key in keys.values()
            for method, path in REFUSED
        }
        _, results = call(url, "GET", "/api/v2/class/results", viewer)
        _, table = call(url, "GET", "/api/v2/class/board", viewer)
    finally:
        server.terminate()
        server.communicate(timeout=30)  # waits, and closes its pipes
    return {"posted": posted, "results": results, "board": table, "refused": refused}


if __name__ == "__main__":
    learner(float(sys.argv[2]))
