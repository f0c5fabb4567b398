"""Typed checks at save (wfbench.validation.expression_kinds): conditions, loop items, parameters.

Each check is held through ``wfbench.validate`` (node, field, position, words)
and through ``wfbench validate --json`` run in-process by ``main(argv)``.
"""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

import wfbench
from wfbench.cli import main
from wfbench.validation import CODES
from wfbench.validation.expression_kinds import kind_of_schema, kind_of_type

SCHEMA = {
    "type": "object",
    "properties": {
        "email": {"type": "string"},
        "notify": {"type": "boolean"},
        "count": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "who": {"type": "object", "properties": {"id": {"type": "string"}}},
        "anything": {},
    },
}


def workflow(*steps: dict[str, Any]) -> dict[str, Any]:
    """``users.get`` as step ``user``, then ``steps``."""
    lookup = {
        "id": "user",
        "kind": "action",
        "action": "users.get",
        "with": {"email": "{{ input.email }}"},
    }
    return {
        "format": "wfbench/v1",
        "name": "Typed",
        "type": "manual",
        "run_as": "administrator",
        "trigger": {"input_schema": copy.deepcopy(SCHEMA)},
        "steps": [lookup, *steps],
    }


def branch(condition: Any) -> dict[str, Any]:
    return {"id": "check", "kind": "if_else", "condition": condition, "then": [], "else": []}


def loop(items: Any, *body: dict[str, Any]) -> dict[str, Any]:
    log = {"id": "note", "kind": "action", "action": "core.log", "with": {"message": "x"}}
    return {
        "id": "each",
        "kind": "loop",
        "items": items,
        "as": "group",
        "max_iterations": 50,
        "steps": list(body) or [log],
    }


def leave(group_id: str) -> dict[str, Any]:
    return {
        "id": "leave",
        "kind": "action",
        "action": "groups.remove_user",
        "with": {"group_id": group_id, "user_id": "{{ steps.user.output.id }}"},
    }


def typed_issues(doc: dict[str, Any]) -> list[tuple[str, str | None, str | None, int | None]]:
    report = wfbench.validate(doc)
    return [
        (i.code, i.node, i.field, i.position) for i in report.issues if i.code.startswith("type.")
    ]


def message(doc: dict[str, Any], code: str) -> str:
    (issue,) = [i for i in wfbench.validate(doc).issues if i.code == code]
    return issue.message


# -- conditions


@pytest.mark.parametrize(
    "condition",
    [
        "{{ steps.user.output.employee_type == 'contractor' }}",
        "{{ 'admins' in input.tags }}",
        "{{ startswith(input.email, 'a') }}",
        "{{ not input.notify }}",
        "{{ input.notify and input.count > 2 }}",
        "{{ input.notify }}",
        "{{ steps.user.output.mfa_enrolled }}",
        "{{ input.anything }}",  # unknown stays allowed
        "{{ default(input.notify, false) }}",
        "{{ contains(steps.user.output.email, '@') or false }}",
        True,
    ],
)
def test_a_boolean_condition_passes(condition: Any) -> None:
    assert typed_issues(workflow(branch(condition))) == []


@pytest.mark.parametrize(
    ("condition", "gives", "position"),
    [
        ("{{ steps.user.output.employee_type }}", "text", 3),
        ("{{ input.tags }}", "a list", 3),
        ("{{ input.count }}", "a number", 3),
        ("{{ 'yes' }}", "text", 3),
        ("{{ input.who }}", "an object", 3),
        ("{{ len(input.tags) }}", "a number", 3),
        ("{{ input.email or input.notify }}", None, None),  # mixed: unknown, allowed
    ],
)
def test_a_condition_that_is_not_boolean_is_refused(
    condition: str, gives: str | None, position: int | None
) -> None:
    doc = workflow(branch(condition))
    if gives is None:
        assert typed_issues(doc) == []
        return
    assert typed_issues(doc) == [("type.condition", "check", "condition", position)]
    text = message(doc, "type.condition")
    assert text.startswith(f"the condition gives {gives}, not true/false")
    assert "compare it" in text


def test_the_reference_helpers_old_bug_is_refused_naming_the_fix() -> None:
    doc = workflow(branch("{{ true }} {{ steps.user.output.employee_type }}"))
    assert typed_issues(doc) == [("type.condition", "check", "condition", 14)]
    text = message(doc, "type.condition")
    assert "holds 2 {{ }} expressions" in text and "always true" in text
    assert "inside one {{ }}" in text


@pytest.mark.parametrize(
    ("condition", "says"),
    [
        ("is {{ input.notify }}", "has text outside its {{ }}"),
        ("yes", "is plain text"),
    ],
)
def test_text_in_a_condition_is_refused(condition: str, says: str) -> None:
    doc = workflow(branch(condition))
    assert [c for c, *_ in typed_issues(doc)] == ["type.condition"]
    assert says in message(doc, "type.condition")


# -- loop items


@pytest.mark.parametrize(
    "items",
    ["{{ steps.user.output.groups }}", "{{ input.tags }}", "{{ split(input.email, '@') }}", [1, 2]],
)
def test_list_items_pass(items: Any) -> None:
    assert typed_issues(workflow(loop(items))) == []


@pytest.mark.parametrize(
    ("items", "code", "says"),
    [
        ("{{ [] }} {{ steps.user.output.groups }}", "type.items", "holds 2 {{ }} expressions"),
        ("{{ steps.user.output.email }}", "type.items", "the items give text, not a list"),
        ("{{ input.count }}", "type.items", "the items give a number, not a list"),
        ("groups: {{ input.tags }}", "type.items", "has text outside its {{ }}"),
    ],
)
def test_items_that_are_not_a_list_are_refused(items: str, code: str, says: str) -> None:
    doc = workflow(loop(items))
    assert [(c, n, f) for c, n, f, _ in typed_issues(doc)] == [(code, "each", "items")]
    assert says in message(doc, code)


# -- parameters


def test_an_object_into_a_text_parameter_is_refused_with_its_field() -> None:
    doc = workflow(loop("{{ steps.user.output.groups }}", leave("{{ group }}")))
    assert typed_issues(doc) == [("type.param", "leave", "with.group_id", 3)]
    text = message(doc, "type.param")
    assert text == (
        "'group_id' takes text, but this gives an object; pick one of its fields, "
        "e.g. {{ group.id }}"
    )


def test_the_loop_variables_field_fits() -> None:
    doc = workflow(loop("{{ steps.user.output.groups }}", leave("{{ group.id }}")))
    assert typed_issues(doc) == []
    assert wfbench.validate(doc).valid


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("{{ input.who.id }}", True),
        ("{{ input.anything }}", True),
        ("{{ input.email }} and more", True),  # text into text
        ("{{ input.count }}", False),  # a number into text fails at run time
        ("{{ input.tags }}", False),
        ("{{ steps.user.output }}", False),
        ("{{ str(input.count) }}", True),
    ],
)
def test_a_reference_must_fit_the_parameter(value: str, ok: bool) -> None:
    doc = workflow(leave(value))
    assert (typed_issues(doc) == []) is ok


def test_a_number_into_text_names_str() -> None:
    doc = workflow(leave("{{ input.count }}"))
    assert "turn it into text: {{ str(input.count) }}" in message(doc, "type.param")


def test_every_typed_code_is_in_the_table() -> None:
    assert {"type.condition", "type.items", "type.param"} <= set(CODES)


def test_kinds_of_types_and_schemas() -> None:
    assert kind_of_type(str | None) == "string"
    assert kind_of_type(list[int]) == "list"
    assert kind_of_type(int | str) == "unknown"
    assert kind_of_schema({"type": ["string", "null"]}) == "string"
    assert kind_of_schema({"enum": ["a", "b"]}) == "string"
    assert kind_of_schema({}) == "unknown"


# -- the CLI says the same


def test_validate_json_reports_each_typed_check(tmp_path: Path) -> None:
    files = {
        "condition.json": workflow(branch("{{ true }} {{ steps.user.output.employee_type }}")),
        "items.json": workflow(loop("{{ [] }} {{ steps.user.output.groups }}")),
        "param.json": workflow(loop("{{ steps.user.output.groups }}", leave("{{ group }}"))),
        "good.json": workflow(loop("{{ steps.user.output.groups }}", leave("{{ group.id }}"))),
    }
    for name, doc in files.items():
        (tmp_path / name).write_text(json.dumps(doc))
    out = io.StringIO()
    code = main(["validate", "--json", *(str(tmp_path / n) for n in files)], out=out)
    assert code == 1
    results = {Path(r["file"]).name: r for r in json.loads(out.getvalue())}
    found = {
        name: [(i["code"], i["node"], i["field"]) for i in r["issues"] if i["severity"] == "error"]
        for name, r in results.items()
    }
    assert found == {
        "condition.json": [("type.condition", "check", "condition")],
        "items.json": [("type.items", "each", "items")],
        "param.json": [("type.param", "leave", "with.group_id")],
        "good.json": [],
    }
    assert [results[n]["valid"] for n in files] == [False, False, False, True]
    assert "pick one of its fields, e.g. {{ group.id }}" in json.dumps(results["param.json"])
