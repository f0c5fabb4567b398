"""wfbench.actions.context: what one attempt of one step sees."""

from __future__ import annotations

import time

import pytest

from wfbench.actions.context import ActionContext
from wfbench.errors import PermissionDenied, RunCancelled, StepTimeout


def _ctx(**changes: object) -> ActionContext:
    fields: dict[str, object] = {
        "run_id": "r1",
        "path": "a",
        "dry_run": False,
        "permissions": frozenset({"users.read"}),
    }
    fields.update(changes)
    return ActionContext(**fields)  # type: ignore[arg-type]


def test_changes_and_logs_are_kept_in_order() -> None:
    ctx = _ctx()
    ctx.change("suspended ada")
    ctx.log("one")
    ctx.log("two")
    assert (ctx.changes, ctx.logs) == (["suspended ada"], ["one", "two"])


def test_require_names_every_missing_permission() -> None:
    _ctx().require("users.read")
    with pytest.raises(PermissionDenied, match=r"lacks users.write, groups.write; choose a role"):
        _ctx().require("users.read", "users.write", "groups.write")


def test_check_and_sleep_honour_cancellation_and_the_deadline() -> None:
    assert _ctx().remaining() is None
    _ctx().check()
    with pytest.raises(RunCancelled):
        _ctx(cancelled=lambda: True).sleep(60)
    past = _ctx(deadline=time.monotonic() - 1)
    assert past.remaining() is not None and past.remaining() < 0  # type: ignore[operator]
    with pytest.raises(StepTimeout, match="timeout_s"):
        past.sleep(60)
    _ctx().sleep(0)  # nothing to wait for: returns at once
