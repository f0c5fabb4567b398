"""wfbench.validation.params: an action's parameters under ``with``."""

from __future__ import annotations

from typing import Any

from wfbench.actions import builtin_registry
from wfbench.model import ActionNode
from wfbench.validation.params import check_params


def _issues(action: str, with_: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    node = ActionNode.model_validate({"id": "n", "action": action, "with": with_})
    spec = builtin_registry().get(action)
    return [(i.code, i.field, i.pointer) for i in check_params(node, spec, "/steps/0")]


def test_good_parameters_and_templates_pass() -> None:
    assert _issues("core.log", {"message": "hi"}) == []
    assert _issues("core.wait", {"seconds": "{{ input.n }}"}) == []  # known at run time


def test_unknown_missing_and_mistyped_parameters_are_each_named() -> None:
    assert _issues("core.log", {"mesage": "hi"}) == [
        ("param.unknown", "with.mesage", "/steps/0/with/mesage"),
        ("param.missing", "with.message", "/steps/0/with"),
    ]
    assert _issues("core.wait", {"seconds": "soon"}) == [
        ("param.type", "with.seconds", "/steps/0/with/seconds")
    ]


def test_a_lookup_needs_one_of_its_keys() -> None:
    assert _issues("users.get", {}) == [("param.one_of", "with", "/steps/0/with")]
