"""wfbench.batch.runner: a batch runs a workflow once per row, reports progress, and
resumes without running again what succeeded or may have had effects.

The batch's port is plain functions here (runs of core actions without a store): what is
tested is the runner's own bookkeeping; run_many over a real store is tests/workbench/."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from wfbench.actions import builtin_registry
from wfbench.batch.runner import (
    OUTCOME_COLUMNS,
    Batch,
    Port,
    Progress,
    new_batch_id,
    one_writer,
    row_key,
)
from wfbench.engine import Environment, Execution
from wfbench.errors import IdempotencyConflict, RunRejected, UsageError
from wfbench.model import Workflow
from wfbench.roles import RoleRegistry

WORKFLOW = Workflow.model_validate(
    {
        "name": "double",
        "run_as": "read_only",
        "steps": [
            {
                "id": "x",
                "kind": "action",
                "action": "core.set",
                "with": {"value": "{{ input.n * 2 }}"},
            }
        ],
    }
)


PAST_COLUMNS = ["idempotency_key", "run_id", "status", "input", "output", "error", "duration_ms"]


class Runs:
    """A port's runs: each prepared row, and what a store would hold from earlier."""

    def __init__(self, previous: list[dict[str, Any]] | None = None) -> None:
        self.prepared: list[str] = []
        self.past = pd.DataFrame(
            previous or [],
            columns=[
                "idempotency_key",
                "run_id",
                "status",
                "input",
                "output",
                "error",
                "duration_ms",
            ],
        )
        self.effects: dict[str, list[str]] = {}

    def prepare(self, row: dict[str, Any], key: str) -> Execution:
        self.prepared.append(key)
        if row.get("n") == "refused":
            raise RunRejected("run rejected: n is no number", run_id=f"rejected-{key}")
        return Execution(
            WORKFLOW,
            row,
            role=RoleRegistry().get("read_only"),
            env=Environment(builtin_registry()),
            run_id=f"run-{key}",
        )

    def port(self) -> Port:
        return Port(
            prepare=self.prepare,
            previous=lambda: self.past,
            same_input=lambda past, row: past == row,
            effects=lambda ids: {i: self.effects[i] for i in ids if i in self.effects},
        )


def test_ids_and_keys() -> None:
    assert new_batch_id().startswith("batch_") and new_batch_id() != new_batch_id()
    assert row_key("batch_1", 3) == "batch_1:3"
    line = Progress(total=4, done=2, counts={"succeeded": 1, "failed": 1}).line()
    assert line.startswith("2/4 runs (1 failed, 1 succeeded) in ")


def test_every_row_runs_once_in_input_order_with_progress() -> None:
    runs, heard = Runs(), []
    batch = Batch(
        runs.port(),
        [{"n": 1}, {"n": "refused"}, {"n": 3}],
        batch_id="b1",
        concurrency=2,
        progress=lambda p: heard.append(p.done),
    )
    frame = batch.run()
    assert list(frame.columns) == list(OUTCOME_COLUMNS)
    assert list(frame["status"]) == ["succeeded", "rejected", "succeeded"]
    assert list(frame["run_id"]) == ["run-b1:0", "rejected-b1:1", "run-b1:2"]
    assert frame["output"][2] == {"x": {"value": 6}} and not frame["resumed"].any()
    assert sorted(runs.prepared) == ["b1:0", "b1:1", "b1:2"]
    assert sorted(heard) == [0, 1, 2, 3]  # shown at the start, then after each row
    assert batch.progress.counts == {"succeeded": 2, "rejected": 1}


def test_a_resumed_batch_runs_only_what_is_left() -> None:
    past = [
        {"idempotency_key": "b2:0", "run_id": "r0", "status": "succeeded", "input": {"n": 1},
         "output": {"x": {"value": 2}}},
        {"idempotency_key": "b2:1", "run_id": "r1", "status": "failed", "input": {"n": 2}},
        {"idempotency_key": "b2:2", "run_id": "r2", "status": "running", "input": {"n": 3}},
    ]  # fmt: skip
    runs = Runs(past)
    runs.effects = {"r2": ["notify.email"]}  # r2 was cut off after its email had started
    frame = Batch(runs.port(), [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}], batch_id="b2").run()
    assert runs.prepared == ["b2:1", "b2:3"]  # the failed row (no effect) and the new one
    assert list(frame["status"]) == ["succeeded", "succeeded", "interrupted", "succeeded"]
    assert list(frame["resumed"]) == [True, False, True, False]
    assert frame["error"][2].startswith(
        "not run again: effects may have happened (notify.email had started in run r2"
    )
    again = Runs(past)
    again.effects = runs.effects
    Batch(again.port(), [{"n": 1}, {"n": 2}, {"n": 3}], batch_id="b2", rerun_interrupted=[2]).run()
    assert again.prepared == ["b2:1", "b2:2"]  # asked for by name: run again


def test_a_row_that_succeeded_with_another_input_is_refused() -> None:
    runs = Runs(
        [{"idempotency_key": "b3:0", "run_id": "r0", "status": "succeeded", "input": {"n": 1}}]
    )
    batch = Batch(runs.port(), [{"n": 9}], batch_id="b3")
    with pytest.raises(IdempotencyConflict, match=r"batch b3: row\(s\) 0 already succeeded"):
        batch.start()
    assert runs.prepared == []
    with pytest.raises(UsageError, match="concurrency must be 1 or more, not 0"):
        Batch(runs.port(), [], batch_id="b4", concurrency=0)


def test_a_cancelled_batch_starts_no_more_rows() -> None:
    runs = Runs()
    batch = Batch(runs.port(), [{"n": 1}, {"n": 2}], batch_id="b5", concurrency=1)
    batch.cancel()
    frame = batch.run()
    assert set(frame["status"]) == {"cancelled"} and runs.prepared == []


def test_one_writer_holds_the_lock_around_local_changes_only() -> None:
    lock = threading.Lock()
    seen: list[tuple[str, bool, bool]] = []

    @contextlib.contextmanager
    def transaction(spec: Any) -> Iterator[None]:
        seen.append((spec.name, spec.batched, lock.locked()))
        yield

    alone = one_writer(transaction, lock)
    registry = builtin_registry()
    with alone(registry.get("users.suspend")):
        pass
    with alone(registry.get("http.request")):
        pass
    assert seen == [("users.suspend", False, True), ("http.request", False, False)]
