"""Custom actions for the batch tests, in a module the Dask workers can import."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel


class WhereIn(BaseModel):
    n: int
    effects: str | None = None  # a file that counts calls (one character a call)
    sleep_s: float = 0.0
    gate: str | None = None  # a folder: say "started" in it, then wait for its "open" file


class WhereOut(BaseModel):
    pid: int
    square: int


def where(params: WhereIn, ctx: Any) -> WhereOut:
    """Reports the process it ran in; appends to the effects file before it returns.

    With a ``gate``, it first leaves ``started-<n>`` there, then waits (bounded) until
    the test creates ``open``: a test acts while every call is known to be under way.
    """
    if params.gate:
        gate = Path(params.gate)
        (gate / f"started-{params.n}").touch()
        deadline = time.monotonic() + 120
        while not (gate / "open").exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{gate / 'open'} never appeared")
            time.sleep(0.02)
    if params.sleep_s:
        time.sleep(params.sleep_s)
    if params.effects:
        with Path(params.effects).open("a") as f:
            f.write("x")
    return WhereOut(pid=os.getpid(), square=params.n * params.n)


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    """Poll ``condition`` until it is truthy; fail after ``timeout`` s saying ``what``.
    The bound only matters on failure: nothing waits on time itself."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return result


def started(gate: Path) -> int:
    """How many calls have reached ``gate``."""
    return len(list(gate.glob("started-*")))


def workflow(action: str = "test.where") -> dict[str, Any]:
    """A workflow of one remote action whose input is ``n`` (and an optional ``effects``)."""
    return {
        "format": "wfbench/v1",
        "name": "Where",
        "type": "manual",
        "run_as": "read_only",
        "trigger": {
            "input_schema": {
                "type": "object",
                "properties": {
                    "n": {"type": "integer"},
                    "effects": {"type": "string"},
                    "sleep_s": {"type": "number"},
                    "gate": {"type": "string"},
                },
                "required": ["n"],
            }
        },
        "steps": [
            {
                "id": "where",
                "kind": "action",
                "action": action,
                "with": {
                    "n": "{{ input.n }}",
                    "effects": "{{ default(input.effects, null) }}",
                    "sleep_s": "{{ default(input.sleep_s, 0) }}",
                    "gate": "{{ default(input.gate, null) }}",
                },
            }
        ],
    }


def register(wb: Any, *, idempotent: bool = False, name: str = "test.where") -> None:
    wb.action(
        name,
        input=WhereIn,
        output=WhereOut,
        side_effects=True,
        remote=True,
        idempotent=idempotent,
    )(where)
