"""wfbench.engine.invoke: a handler called with its deadline, on this process's threads."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from pydantic import BaseModel

from wfbench.actions import ActionRegistry, ActionSpec
from wfbench.actions.context import ActionContext
from wfbench.engine.invoke import LocalInvoker, timed_out
from wfbench.errors import EffectUncertain, NoHandler, RunCancelled


class Nothing(BaseModel):
    pass


def custom(handler: object) -> ActionSpec:
    """A custom action (not a built-in) whose handler is ``handler``."""
    registry = ActionRegistry()
    registry.action("custom.probe", input=Nothing, output=Nothing, side_effects=False)(handler)
    return registry.get("custom.probe")


def context(*, deadline_s: float | None = None, cancelled: bool = False) -> ActionContext:
    deadline = time.monotonic() + deadline_s if deadline_s is not None else None
    return ActionContext(
        run_id="r",
        path="p",
        dry_run=False,
        permissions=frozenset(),
        deadline=deadline,
        cancelled=lambda: cancelled,
    )


def test_timed_out_says_what_happened_and_what_may_have() -> None:
    assert str(timed_out(0.25)).startswith("timed out after 0.25 s (timeout_s) while its handler")
    assert "may or may not have happened" in str(timed_out(None))
    assert "after" not in str(timed_out(None))


def test_a_handler_gives_its_value_or_its_error() -> None:
    out = Nothing()
    assert (
        LocalInvoker().call(custom(lambda p, ctx: out), Nothing(), context(), timeout_s=None) is out
    )

    def broken(params: Nothing, ctx: ActionContext) -> Nothing:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):  # on its own thread too, with a deadline
        LocalInvoker().call(custom(broken), Nothing(), context(deadline_s=30), timeout_s=30)


def test_no_handler_is_refused() -> None:
    spec = dataclasses.replace(custom(lambda p, ctx: Nothing()), handler=None)
    with pytest.raises(NoHandler, match=r"custom\.probe has no handler"):
        LocalInvoker().call(spec, Nothing(), context(), timeout_s=None)


def test_the_wait_ends_at_the_deadline_and_on_cancel() -> None:
    release = threading.Event()

    def stuck(params: Nothing, ctx: ActionContext) -> Nothing:
        release.wait(30)
        return Nothing()

    try:
        with pytest.raises(EffectUncertain, match=r"timed out after 0.1 s"):
            LocalInvoker().call(custom(stuck), Nothing(), context(deadline_s=0.1), timeout_s=0.1)
        with pytest.raises(RunCancelled, match="cancelled while a handler was running"):
            LocalInvoker().call(
                custom(stuck), Nothing(), context(deadline_s=30, cancelled=True), timeout_s=30
            )
    finally:
        release.set()
