"""wfbench.engine.background: a run on a background thread, its handle, cancelling it."""

from __future__ import annotations

import time

from wfbench.engine import Hooks, RunRecord, StepRecord
from wfbench.workbench import Workbench

from .support import act, flow


def test_background_run_reports_progress_and_can_be_cancelled(wb: Workbench) -> None:
    seen: list[tuple[str, str]] = []

    class Listener(Hooks):
        def step_finished(self, *, run: RunRecord, step: StepRecord, durable: bool) -> None:
            seen.append((step.node, step.status))

    wb.save(
        flow(
            act("first", "core.log", with_={"message": "hi"}),
            act("slow", "core.wait", with_={"seconds": 30}),
        )
    )
    handle = wb.run("t", wait=False, hooks=[Listener()])
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not handle.done  # the caller got control back while the run goes on
    handle.cancel()
    record = handle.wait(10)
    assert record.status == "cancelled"
    assert seen == [("first", "succeeded")]
    assert wb.runs().iloc[0]["status"] == "cancelled"
