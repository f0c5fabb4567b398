"""A run's input (wfbench.validation.inputs): defaults applied, every problem reported."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wfbench.errors import InputError
from wfbench.model import Workflow
from wfbench.validation import InputCheck, apply_defaults, check_input, prepare_input

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["email"],
    "properties": {
        "email": {"type": "string", "format": "email"},
        "notify": {"type": "boolean", "default": True},
        "options": {
            "type": "object",
            "properties": {"level": {"type": "integer", "default": 1}, "a/b": {"type": "string"}},
        },
    },
    "additionalProperties": False,
}


def workflow(schema: dict[str, Any] = SCHEMA) -> Workflow:
    return Workflow.model_validate(
        {"name": "Look", "run_as": "read_only", "trigger": {"input_schema": schema}}
    )


def test_defaults_fill_absent_properties_at_every_level() -> None:
    value = apply_defaults(SCHEMA, {"email": "a@example.com", "options": {}})
    assert value == {"email": "a@example.com", "notify": True, "options": {"level": 1}}
    assert apply_defaults(SCHEMA, {"notify": False})["notify"] is False  # given wins
    assert apply_defaults(SCHEMA, [1]) == [1]  # not an object: as it is
    assert apply_defaults({"type": "object"}, {"x": 1}) == {"x": 1}


def test_a_good_input_comes_back_with_its_defaults() -> None:
    checked = check_input(workflow(), {"email": "a@example.com"})
    assert checked == InputCheck({"email": "a@example.com", "notify": True})
    assert checked.ok and checked.summary == ""
    assert prepare_input(workflow(), {"email": "a@example.com"})["notify"] is True


def test_no_input_is_the_empty_object() -> None:
    open_schema = workflow({"type": "object", "properties": {}})
    assert check_input(open_schema, None).value == {}
    assert not check_input(workflow(), None).ok  # email is required


def test_every_problem_is_reported_with_its_escaped_pointer() -> None:
    bad = {"email": 3, "notify": "yes", "options": {"level": "x", "a/b": 1}, "extra": 1}
    checked = check_input(workflow(), bad)
    pointers = [p for p, _ in checked.problems]
    assert pointers == ["", "/email", "/notify", "/options/a~1b", "/options/level"]
    assert "'extra' was unexpected" in checked.problems[0][1]
    assert checked.summary.startswith("the input does not match the input schema of 'Look'")
    assert "(5 problem(s))" in checked.summary
    with pytest.raises(InputError) as caught:
        prepare_input(workflow(), bad)
    assert caught.value.problems == checked.problems
    assert str(caught.value).startswith(checked.summary)


def test_formats_are_checked() -> None:
    checked = check_input(workflow(), {"email": "not an address"})
    assert [p for p, _ in checked.problems] == ["/email"]


@pytest.mark.parametrize("value", [[], "text", 3, True])
def test_an_input_that_is_not_an_object_is_refused(value: Any) -> None:
    checked = check_input(workflow(), value)
    assert checked.value is None
    assert checked.problems == [("", 'give a JSON object such as {"email": "…"}')]
    assert checked.summary == f"the input must be a JSON object, not {type(value).__name__}"
    with pytest.raises(InputError, match="must be a JSON object"):
        prepare_input(workflow(), value)


_OBJECTS = [{}, {"a": 1}, {"x": {"y": [1, None]}, "email": "not-an-email"}, {"": ""}]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {}},
        {"type": "object"},
        {},
        {"title": "T", "description": "d", "$comment": "c", "examples": [{}], "default": {}},
        {"type": "object", "required": [], "additionalProperties": True},
    ],
)
def test_a_schema_that_constrains_nothing_accepts_every_object_as_jsonschema_does(
    schema: dict[str, Any],
) -> None:
    from wfbench.validation.inputs import accepts_any_object
    from wfbench.validation.schemas import schema_errors

    assert accepts_any_object(schema)
    for value in _OBJECTS:
        assert schema_errors(schema, value) == []


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"type": "string"}}},
        {"type": "object", "required": ["a"]},
        {"type": "object", "additionalProperties": False},
        {"type": "string"},
        {"type": ["object"]},
        {"type": "object", "minProperties": 1},
        {"type": "object", "additionalProperties": 1},
        {"$schema": "https://json-schema.org/draft/2020-12/schema"},
        {"not": {}},
        False,
    ],
)
def test_a_schema_with_any_other_keyword_goes_to_jsonschema(schema: Any) -> None:
    from wfbench.validation.inputs import accepts_any_object

    assert not accepts_any_object(schema)


def test_a_schemas_validator_is_made_once_and_kept_apart_from_the_callers_dict() -> None:
    """A batch checks every row's input against one schema: its validator is made once
    (issue 22) and holds its own copy, so a caller changing its dict changes nothing."""
    from wfbench.validation.schemas import schema_errors, validator_for

    schema: dict[str, Any] = {"type": "object", "properties": {"n": {"type": "integer"}}}
    first = validator_for(schema)
    assert validator_for(json.loads(json.dumps(schema))) is first
    schema["properties"]["n"]["type"] = "string"  # a new schema: a validator of its own
    assert validator_for(schema) is not first
    assert [e.message for e in schema_errors(schema, {"n": 1})] == ["1 is not of type 'string'"]
    assert [e.message for e in first.iter_errors({"n": "x"})] == ["'x' is not of type 'integer'"]
