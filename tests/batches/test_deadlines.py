"""Issue 10.6: ``timeout_s`` is enforced while a handler runs (in the kernel's threads).

No wall-clock asserts: a handler that outlives its step says so by an event it sets when
it ends, and the effects are counted.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from wfbench import Workbench


class In(BaseModel):
    user: str = ""


class Out(BaseModel):
    done: bool = True


def _flow(action: str, **step: Any) -> dict[str, Any]:
    return {
        "format": "wfbench/v1",
        "name": f"Deadline {action}",
        "type": "manual",
        "run_as": "manager",
        "trigger": {"input_schema": {"type": "object"}},
        "steps": [
            {"id": "slow", "kind": "action", "action": action, "with": step.pop("with", {}),
             **step},
            {"id": "after", "kind": "action", "action": "core.log", "with": {"message": "on"}},
        ],
    }  # fmt: skip


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    bench = Workbench(tmp_path / "deadline.duckdb")
    bench.init(demo=True)
    return bench


def test_a_hanging_handler_times_out_and_the_run_goes_on(wb: Workbench) -> None:
    release, ended = threading.Event(), threading.Event()

    @wb.action("t.hang", input=In, output=Out)
    def hang(params: In, ctx: Any) -> Out:
        release.wait()
        ended.set()
        return Out()

    wb.save(_flow("t.hang", timeout_s=0.2, on_error="continue"))
    run = wb.run("Deadline t.hang", {})
    try:
        assert not ended.is_set()  # the run did not wait for the handler
        slow, after = run.steps
        assert slow.status == "failed" and slow.error is not None
        assert slow.error.startswith("timed out after 0.2 s (timeout_s)")
        assert "not retried" not in slow.error  # no retry was asked for
        assert after.status == "succeeded" and run.status == "succeeded"
    finally:
        release.set()


def test_a_late_handler_cannot_change_the_directory(wb: Workbench) -> None:
    user = wb.sql("select id from users where status = 'active' order by id limit 1").iloc[0, 0]
    release, tried = threading.Event(), threading.Event()
    refused: list[BaseException] = []

    @wb.action("t.late", input=In, output=Out, permissions=["users:write"])
    def late(params: In, ctx: Any) -> Out:
        release.wait()
        try:
            ctx.directory.suspend_user(params.user)
        except Exception as exc:
            refused.append(exc)
        tried.set()
        return Out()

    wb.save(_flow("t.late", timeout_s=0.2, **{"with": {"user": user}}))
    run = wb.run("Deadline t.late", {})
    release.set()
    assert tried.wait(10)
    assert run.status == "failed" and "timed out" in (run.steps[0].error or "")
    assert refused and "no longer reaches the directory" in str(refused[0])
    status = wb.sql("select status from users where id = ?", [user]).iloc[0, 0]
    assert status == "active"


@pytest.mark.parametrize(("idempotent", "calls"), [(False, 1), (True, 3)])
def test_retry_after_a_timeout_only_when_idempotent(
    wb: Workbench, idempotent: bool, calls: int
) -> None:
    count: list[int] = []
    release = threading.Event()

    @wb.action("t.effect", input=In, output=Out, idempotent=idempotent)
    def effect(params: In, ctx: Any) -> Out:
        count.append(1)
        release.wait()
        return Out()

    wb.save(_flow("t.effect", timeout_s=0.1, retry={"max_attempts": 3, "backoff_s": 0}))
    run = wb.run("Deadline t.effect", {})
    release.set()
    step = run.steps[0]
    assert len(count) == calls and step.attempts == calls
    assert step.status == "failed" and (step.error or "").startswith("timed out")
    if not idempotent:
        assert "not retried: t.effect is not declared idempotent" in (step.error or "")


def test_cancel_stops_waiting_for_a_handler(wb: Workbench) -> None:
    release, started = threading.Event(), threading.Event()

    @wb.action("t.wait", input=In, output=Out)
    def wait(params: In, ctx: Any) -> Out:
        started.set()
        release.wait()
        return Out()

    wb.save(_flow("t.wait", timeout_s=60))
    handle = wb.run("Deadline t.wait", {}, wait=False)
    assert started.wait(10)
    handle.cancel()
    run = handle.wait(10)
    release.set()
    assert run.status == "cancelled"
    assert wb.runs.get(run.run_id)["status"] == "cancelled"
