"""Types known before a run (wfbench.validation.output_types): paths through them, parameters."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from wfbench.actions import builtin_registry
from wfbench.model import ActionNode, IfElseNode, LoopNode
from wfbench.validation.output_types import has_template, output_type, param_fields, type_at

CATALOGUE = builtin_registry()


class Group(BaseModel):
    id: str


class User(BaseModel):
    email: str
    groups: list[Group]
    manager: User | None = None
    extra: dict[str, int] = {}


def test_a_path_through_models_lists_and_dicts() -> None:
    assert type_at(User, ("groups", 0, "id")) == (str, None)
    assert type_at(User, ("manager", "email")) == (str, None)  # optional unwrapped
    assert type_at(User, ("extra", "anything")) == (int, None)
    assert type_at(Any, ("x", 1, "y")) == (Any, None)  # unknown allows everything


def test_a_wrong_path_says_what_is_there() -> None:
    _, problem = type_at(User, ("nope",))
    assert problem == "has no field 'nope'; its fields are: email, groups, manager, extra"
    assert "use an index like [0], not .first" in str(type_at(User, ("groups", "first"))[1])
    assert "is an object, not a list" in str(type_at(User, (0,))[1])
    assert "it has no field 'x'" in str(type_at(User, ("email", "x"))[1])


def test_output_types_of_each_kind() -> None:
    spec = CATALOGUE.find("users.get")
    assert spec is not None
    assert output_type(ActionNode(id="a", action="users.get"), CATALOGUE) is spec.output_model
    assert output_type(ActionNode(id="a", action="no.such"), CATALOGUE) is Any
    branch = IfElseNode(id="b", condition=True)
    assert output_type(branch, CATALOGUE) == dict[str, Any]
    loop = LoopNode.model_validate({"id": "l", "items": [], "max_iterations": 1})
    assert output_type(loop, CATALOGUE) == list[dict[str, Any]]


def test_parameters_know_whether_they_are_required() -> None:
    spec = CATALOGUE.find("users.suspend")
    assert spec is not None
    fields = param_fields(spec)
    assert {name: required for name, (required, _) in fields.items()} == {"user_id": True}
    assert fields["user_id"][1].validate_python("u1") == "u1"
    assert param_fields(spec) is fields  # cached per action


def test_has_template_looks_everywhere() -> None:
    assert has_template({"a": ["x", {"b": "{{ input.x }}"}]})
    assert not has_template({"a": ["x", 1, None]})
