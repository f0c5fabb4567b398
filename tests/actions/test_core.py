"""wfbench.actions.core: core.set, core.log, core.fail and core.wait."""

from __future__ import annotations

import time

import pytest

from wfbench.actions.context import ActionContext
from wfbench.actions.core import SPECS
from wfbench.errors import ActionError, StepTimeout

CORE = {spec.name: spec for spec in SPECS}


def _ctx(**changes: object) -> ActionContext:
    return ActionContext("r1", "a", False, frozenset(), **changes)  # type: ignore[arg-type]


def _call(name: str, params: dict[str, object], ctx: ActionContext) -> dict[str, object]:
    spec = CORE[name]
    assert spec.handler is not None
    out = spec.handler(spec.input_model.model_validate(params), ctx)
    dumped: dict[str, object] = out.model_dump()
    return dumped


def test_the_core_actions_need_no_permission_and_change_nothing() -> None:
    assert sorted(CORE) == ["core.fail", "core.log", "core.set", "core.wait"]
    assert all(not s.permissions and not s.side_effects and not s.exclusive for s in SPECS)


def test_set_returns_its_value_and_log_records_its_message() -> None:
    ctx = _ctx()
    assert _call("core.set", {"value": {"a": [1]}}, ctx) == {"value": {"a": [1]}}
    assert _call("core.log", {"message": "hello"}, ctx) == {"message": "hello"}
    assert ctx.logs == ["hello"]


def test_fail_fails_with_its_message() -> None:
    with pytest.raises(ActionError, match=r"^stop here$"):
        _call("core.fail", {"message": "stop here"}, _ctx())


def test_wait_waits_within_the_deadline() -> None:
    assert _call("core.wait", {"seconds": 0}, _ctx()) == {"seconds": 0}
    with pytest.raises(StepTimeout):
        _call("core.wait", {"seconds": 5}, _ctx(deadline=time.monotonic() - 1))
