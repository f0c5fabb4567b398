"""wfbench.engine.attempts: one action step's parameters, role check, retries and deadline."""

from __future__ import annotations

import json
import time

from pydantic import BaseModel

from wfbench.actions.context import ActionContext
from wfbench.engine import Execution
from wfbench.model import Workflow
from wfbench.roles import RoleRegistry
from wfbench.workbench import Workbench

from .support import act, flow, one


def test_retry_with_backoff_then_success(wb: Workbench) -> None:
    calls: list[float] = []

    class Nothing(BaseModel):
        pass

    @wb.action("custom.flaky", input=Nothing, output=Nothing, side_effects=False)
    def flaky(params: Nothing, ctx: ActionContext) -> Nothing:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise RuntimeError(f"try {len(calls)} failed")
        return Nothing()

    wb.save(flow(act("f", "custom.flaky", retry={"max_attempts": 3, "backoff_s": 0.05})))
    run = wb.run("t")
    assert run.status == "succeeded"
    (step,) = run.steps
    assert (step.attempts, step.status, step.error) == (3, "succeeded", None)
    assert calls[2] - calls[1] >= calls[1] - calls[0] >= 0.05  # doubling backoff


def test_timeout_fails_the_step(wb: Workbench) -> None:
    wb.save(flow(act("slow", "core.wait", with_={"seconds": 30}, timeout_s=0.2)))
    run = wb.run("t")
    assert run.status == "failed"
    assert "timeout" in (run.error or "")


def test_a_definition_run_under_a_narrow_role_is_refused_before_the_action(wb: Workbench) -> None:
    workflow = Workflow.model_validate(flow(act("s", "users.suspend", with_={"user_id": "u_0001"})))
    role = RoleRegistry().get("read_only")  # validation would refuse; the engine must too
    execution = Execution(workflow, {}, role=role, env=wb.starter.environment())
    with wb.hold():
        record = execution.run()
    assert record.status == "failed"
    assert "lacks users:write" in (record.error or "")
    assert one(wb, "select status from users where id = 'u_0001'") == "active"


def test_secrets_are_redacted_in_history(wb: Workbench) -> None:
    wb.save(
        flow(
            act(
                "a",
                "core.set",
                with_={"value": {"headers": {"Authorization": "Bearer s3cret", "accept": "json"}}},
            )
        )
    )
    run = wb.run("t")
    params = wb.steps(run.run_id).iloc[0]["params"]
    assert params == {"value": {"headers": {"Authorization": "***", "accept": "json"}}}
    assert "s3cret" not in json.dumps(wb.runs.get(run.run_id)["steps"][0]["params"])
