"""wfbench.engine.execution: the interpreter: steps in order, branches, loops, a step at a time."""

from __future__ import annotations

import threading

from pydantic import BaseModel

from wfbench.actions.context import ActionContext
from wfbench.engine import Environment, Execution
from wfbench.model import Workflow
from wfbench.roles import RoleRegistry
from wfbench.workbench import Workbench

from .support import act, flow


def test_on_error_continue_and_core_fail(wb: Workbench) -> None:
    wb.save(
        flow(
            act("missing", "users.get", with_={"email": "nobody@example.com"}, on_error="continue"),
            act("after", "core.log", with_={"message": "{{ steps.missing.status }}"}),
            act("stop", "core.fail", with_={"message": "stopped: {{ steps.missing.status }}"}),
            act("never", "core.log", with_={"message": "x"}),
        )
    )
    run = wb.run("t")
    assert run.status == "failed"
    assert run.error == "stopped: failed"
    by_node = {s.node: s for s in run.steps}
    assert "nobody@example.com" in (by_node["missing"].error or "")
    assert by_node["after"].output == {"message": "failed"}
    assert "never" not in by_node


def test_loop_over_its_bound_fails_before_the_first_iteration(wb: Workbench) -> None:
    wb.save(
        flow(
            {
                "id": "each",
                "kind": "loop",
                "items": "{{ input.xs }}",
                "max_iterations": 3,
                "steps": [act("log", "core.log", with_={"message": "{{ item }}"})],
            },
            props={"xs": {"type": "array"}},
        )
    )
    run = wb.run("t", {"xs": [1, 2, 3, 4]})
    assert run.status == "failed"
    assert "4 items but max_iterations is 3" in (run.error or "")
    assert [s.node for s in run.steps] == ["each"]


def test_loop_concurrency_and_item_errors(wb: Workbench) -> None:
    active, peak = [0], [0]
    lock = threading.Lock()

    class Item(BaseModel):
        n: int

    @wb.action("custom.work", input=Item, output=Item, side_effects=False, exclusive=False)
    def work(params: Item, ctx: ActionContext) -> Item:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        ctx.sleep(0.05)
        with lock:
            active[0] -= 1
        if params.n == 3:
            raise ValueError("three is bad")
        return params

    wb.save(
        flow(
            {
                "id": "each",
                "kind": "loop",
                "items": "{{ [0, 1, 2, 3, 4, 5, 6, 7] }}",
                "max_iterations": 10,
                "concurrency": 4,
                "on_item_error": "continue",
                "steps": [act("w", "custom.work", with_={"n": "{{ item }}"})],
            }
        )
    )
    run = wb.run("t")
    assert run.status == "succeeded"
    assert peak[0] >= 2
    loop = next(s for s in run.steps if s.node == "each")
    assert [it["w"] for it in loop.output] == [{"n": i} if i != 3 else None for i in range(8)]
    assert "1 iteration(s) failed" in (loop.error or "")
    wb.save(
        flow(
            {
                "id": "each",
                "kind": "loop",
                "items": "{{ [3, 4] }}",
                "max_iterations": 10,
                "steps": [act("w", "custom.work", with_={"n": "{{ item }}"})],
            }
        )
    )
    run = wb.run("t")
    assert run.status == "failed"
    assert [s.iteration for s in run.steps if s.node == "w"] == [0]


def test_steppable_execution(wb: Workbench) -> None:
    wf = Workflow.model_validate(
        flow(
            act("a", "core.set", with_={"value": 1}),
            act("b", "core.set", with_={"value": "{{ steps.a.output.value + 1 }}"}),
        )
    )
    execution = Execution(
        wf,
        {},
        role=RoleRegistry().get("read_only"),
        env=Environment(actions=wb.catalogue.actions(format="registry")),
    )
    first = execution.next()
    assert first is not None and (first.node, first.output) == ("a", {"value": 1})
    assert not execution.done
    second = execution.next()
    assert second is not None and second.output == {"value": 2}
    assert execution.next() is None
    assert execution.record.status == "succeeded"
