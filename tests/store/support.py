"""Helpers shared by the store's tests: a repeatable clock and ids, sample records."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from wfbench.model import Workflow
from wfbench.store import WorkflowInfo

SAMPLES = Path(__file__).parents[2] / "wfbench" / "samples"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def make_clock() -> Callable[[], datetime]:
    ticks = itertools.count()
    return lambda: T0 + timedelta(seconds=next(ticks))


def make_ids() -> Callable[[str], str]:
    counter = itertools.count(1)
    return lambda prefix: f"{prefix}_{next(counter):010x}"


def workflow(name: str = "Greet", *, description: str = "", run_as: str = "read_only") -> Workflow:
    return Workflow.model_validate(
        {
            "name": name,
            "description": description,
            "run_as": run_as,
            "steps": [{"id": "hello", "kind": "action", "action": "core.log", "with": {"m": "hi"}}],
        }
    )


def run_record(run_id: str, info: WorkflowInfo, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "run_id": run_id,
        "workflow_id": info.id,
        "workflow": info.name,
        "version": info.version,
        "status": "running",
        "input": {"email": "ada@example.com"},
        "run_as": info.run_as,
        "started_by": "notebook",
        "started_at": T0,
    }
    record.update(extra)
    return record


def step(run_id: str, seq: int, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "run_id": run_id,
        "seq": seq,
        "node": f"n{seq}",
        "path": f"n{seq}",
        "kind": "action",
        "action": "core.log",
        "status": "succeeded",
        "attempts": 1,
        "params": {"m": seq},
        "output": {"ok": True},
        "started_at": T0,
        "ended_at": T0 + timedelta(milliseconds=5),
        "duration_ms": 5.0,
    }
    record.update(extra)
    return record
