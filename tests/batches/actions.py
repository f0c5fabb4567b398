"""Custom actions for the batch tests, in a module the Dask workers can import."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel


class WhereIn(BaseModel):
    n: int
    effects: str | None = None  # a file that counts calls (one character a call)
    sleep_s: float = 0.0


class WhereOut(BaseModel):
    pid: int
    square: int


def where(params: WhereIn, ctx: Any) -> WhereOut:
    """Reports the process it ran in; appends to the effects file before it returns."""
    if params.sleep_s:
        time.sleep(params.sleep_s)
    if params.effects:
        with Path(params.effects).open("a") as f:
            f.write("x")
    return WhereOut(pid=os.getpid(), square=params.n * params.n)


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
