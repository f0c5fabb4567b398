"""wfbench.engine.lifecycle: a run's record, its steps' numbers, listeners, masking, cancel.

Runs of core actions on an environment without a store: nothing here touches a file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from wfbench.actions import builtin_registry
from wfbench.engine import Environment, Execution, Hooks, RunRecord, StepRecord, lifecycle
from wfbench.model import Workflow
from wfbench.roles import RoleRegistry

from .support import act, flow

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


class Heard(Hooks):
    """Every call a listener gets, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, Any]] = []

    def run_started(self, *, run: RunRecord) -> None:
        self.calls.append(("run_started", run.status, None))

    def step_started(self, *, run: RunRecord, step: StepRecord) -> None:
        self.calls.append(("step_started", step.seq, step.status))

    def step_finished(self, *, run: RunRecord, step: StepRecord, durable: bool) -> None:
        self.calls.append(("step_finished", step.seq, step.output))

    def run_finished(self, *, run: RunRecord) -> None:
        self.calls.append(("run_finished", run.status, run.output))


def execution(doc: dict[str, Any], hooks: list[Hooks], **env: Any) -> Execution:
    return Execution(
        Workflow.model_validate(doc),
        {"who": "ada"},
        role=RoleRegistry().get("read_only"),
        env=Environment(builtin_registry(), clock=lambda: T0, **env),
        hooks=hooks,
        run_id="r1",
    )


def test_listeners_hear_the_run_and_each_step_in_order() -> None:
    heard = Heard()
    run = execution(
        flow(
            act("a", "core.set", with_={"value": 1}),
            act("b", "core.set", with_={"value": "{{ input.who }}"}),
        ),
        [heard],
    ).run()
    assert heard.calls == [
        ("run_started", "running", None),
        ("step_started", 1, "running"),
        ("step_finished", 1, {"value": 1}),
        ("step_started", 2, "running"),
        ("step_finished", 2, {"value": "ada"}),
        ("run_finished", "succeeded", {"a": {"value": 1}, "b": {"value": "ada"}}),
    ]
    assert (run.run_id, run.run_as, run.started_at, run.ended_at) == ("r1", "read_only", T0, T0)
    assert [s.seq for s in run.steps] == [1, 2] and run.duration_ms is not None


def test_the_mask_is_applied_once_before_anyone_sees_a_record() -> None:
    masked: list[Any] = []

    def mask(value: Any) -> Any:
        masked.append(value)
        return {"value": "***"} if value == {"value": "s3cret"} else value

    heard = Heard()
    run = execution(flow(act("a", "core.set", with_={"value": "s3cret"})), [heard], mask=mask)
    record = run.run()
    assert heard.calls[2] == ("step_finished", 1, {"value": "***"})  # the listener's copy
    assert record.steps[0].output == {"value": "***"}  # the caller's copy
    assert record.steps[0].params == {"value": "***"}
    assert record.output == {"a": {"value": "***"}}
    secret = {"value": "s3cret"}
    # each field once, not once per listener: the step's params, output, error, change,
    # then the run's input, output (of masked steps already) and error
    assert masked == [secret, secret, None, None, {"who": "ada"}, record.output, None]


def test_a_cancelled_run_ends_cancelled_at_the_next_step() -> None:
    heard = Heard()
    run = execution(flow(act("a", "core.log", with_={"message": "x"})), [heard])
    run.cancel()
    record = run.run()
    assert (record.status, record.error) == ("cancelled", "the run was cancelled")
    assert record.steps == () and heard.calls[-1][:2] == ("run_finished", "cancelled")
    assert run.done and run.next() is None


def test_the_run_keeps_a_bounded_number_of_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifecycle, "KEPT_STEPS", 2)
    heard = Heard()
    steps = [act(f"s{i}", "core.set", with_={"value": i}) for i in range(3)]
    record = execution(flow(*steps), [heard]).run()
    assert [s.node for s in record.steps] == ["s0", "s1"]  # the record keeps the first ones
    assert sum(1 for c in heard.calls if c[0] == "step_finished") == 3  # listeners get all
    assert record.output == {"s0": {"value": 0}, "s1": {"value": 1}, "s2": {"value": 2}}


def test_loop_outputs_beyond_the_budget_are_null(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifecycle, "KEPT_ITERATION_OUTPUTS", 2)
    loop = {
        "id": "each",
        "kind": "loop",
        "items": "{{ [1, 2, 3] }}",
        "max_iterations": 5,
        "steps": [act("v", "core.set", with_={"value": "{{ item }}"})],
    }
    record = execution(flow(loop), []).run()
    assert record.output["each"] == [{"v": {"value": 1}}, {"v": {"value": 2}}, None]
