"""Whole-workflow validation: the shared examples, and one test per kind of problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from wfbench.errors import DefinitionError
from wfbench.validation import Issue, Report, load_workflow, validate

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).parent.parent / "wfbench" / "samples"


def load(name: str) -> dict[str, Any]:
    base = FIXTURES if name.startswith("invalid/") else SAMPLES
    doc: dict[str, Any] = json.loads((base / name).read_text())
    return doc


def errors(report: Report) -> list[tuple[str, str | None, str | None]]:
    return [(i.code, i.node, i.field) for i in report.errors]


def minimal(**steps_and_fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "wfbench/v1",
        "name": "t",
        "run_as": "read_only",
        "trigger": {
            "input_schema": {
                "type": "object",
                "properties": {"email": {"type": "string"}, "n": {"type": "integer"}},
                "additionalProperties": False,
            }
        },
        "steps": [],
    }
    doc.update(steps_and_fields)
    return doc


def action(id_: str, name: str, **with_: Any) -> dict[str, Any]:
    return {"id": id_, "kind": "action", "action": name, "with": with_}


@pytest.mark.parametrize("name", ["onboard_new_hire.json", "offboard_contractor.json"])
def test_shared_examples_are_valid_without_errors(name: str) -> None:
    report = validate(load(name))
    assert report.errors == []
    assert report.valid
    assert report.workflow is not None
    assert report.narrowest_role == "manager"


# file -> (code, node, field) that must be among the errors
INVALID = {
    "role_too_narrow.json": ("role.too_narrow", None, "run_as"),
    "unknown_input_field.json": ("ref.unknown_input", "create", "with.email"),
    "unknown_step.json": ("ref.unknown_step", "add", "with.user_id"),
    "unknown_action.json": ("action.unknown", "create", "action"),
    "duplicate_id.json": ("id.duplicate", "create", "id"),
    "unsafe_expression.json": ("expr.unsafe", "create", "with.email"),
    "expression_syntax.json": ("expr.syntax", "welcome", "condition"),
    "loop_without_bound.json": ("loop.unbounded", "join", "max_iterations"),
    "step_not_yet_run.json": ("ref.not_yet_run", "create", "with.first_name"),
    "self_reference.json": ("ref.self", "create", "with.department"),
    "missing_required_param.json": ("param.missing", "create", "with.email"),
    "empty_name.json": ("name.missing", None, "name"),
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_each_invalid_example_is_flagged_where_its_readme_says(name: str) -> None:
    report = validate(load(f"invalid/{name}"))
    assert not report.valid
    assert report.workflow is None
    assert INVALID[name] in errors(report)


def test_invalid_examples_cover_the_whole_folder() -> None:
    assert {p.name for p in (FIXTURES / "invalid").glob("*.json")} == set(INVALID)


def test_role_too_narrow_names_missing_permissions_and_narrowest_role() -> None:
    (issue,) = [i for i in validate(load("invalid/role_too_narrow.json")).errors]
    for word in ("users:write", "groups:write", "notifications:send", "'manager'"):
        assert word in issue.message


def test_expression_syntax_error_carries_its_position() -> None:
    report = validate(load("invalid/expression_syntax.json"))
    (issue,) = [i for i in report.errors if i.code == "expr.syntax"]
    text = "{{ steps.create.output.manager_email != }}"
    assert issue.position is not None
    assert text.index("!=") <= issue.position <= text.index("}}")


def test_loop_without_bound_still_checks_the_rest_of_the_workflow() -> None:
    doc = load("invalid/loop_without_bound.json")
    doc["steps"][0]["with"]["email"] = "{{ input.mail }}"
    found = errors(validate(doc))
    assert ("loop.unbounded", "join", "max_iterations") in found
    assert ("ref.unknown_input", "create", "with.email") in found
    # the pruned loop's body is not reported a second time
    assert not [f for f in found if f[1] in ("group", "add")]


def test_every_problem_is_reported_at_once() -> None:
    doc = load("onboard_new_hire.json")
    doc["name"] = ""
    doc["run_as"] = "read_only"
    doc["steps"][0]["action"] = "users.make"
    doc["steps"][1]["steps"][1]["with"]["user_id"] = "{{ steps.creat.output.id }}"
    doc["steps"][2]["condition"] = "{{ 1 + }}"
    codes = {i.code for i in validate(doc).errors}
    assert {"name.missing", "action.unknown", "ref.unknown_step", "expr.syntax"} <= codes


def test_structural_problems_map_to_node_and_field() -> None:
    doc = minimal(
        steps=[
            {"id": "Bad-Id", "kind": "action", "action": "core.log", "with": {"message": "x"}},
            {"id": "k", "kind": "teleport"},
            {"id": "lp", "kind": "loop", "items": [], "max_iterations": 10**9, "steps": []},
            {"id": "x", "kind": "action", "action": "core.log", "with": {}, "colour": 1},
        ],
        surprise=True,
    )
    found = errors(validate(doc))
    assert ("id.invalid", "Bad-Id", "id") in found
    assert ("node.kind", "k", "kind") in found
    assert ("loop.bound", "lp", "max_iterations") in found
    assert ("field.unknown", "x", "colour") in found
    assert ("field.unknown", None, "surprise") in found


def test_input_schema_and_sample_are_checked() -> None:
    doc = minimal()
    doc["trigger"] = {"input_schema": {"type": "object", "properties": {"n": {"type": "wat"}}}}
    assert [c for c, _, _ in errors(validate(doc))] == ["schema.invalid"]
    doc = minimal()
    doc["trigger"]["sample_input"] = {"email": 5, "extra": 1}
    found = errors(validate(doc))
    assert ("schema.sample", None, "trigger.sample_input") in found
    assert ("schema.sample", None, "trigger.sample_input.email") in found


def test_role_checks() -> None:
    doc = minimal(run_as="nobody", steps=[action("a", "users.get", id="u1")])
    assert errors(validate(doc)) == [("role.unknown", None, "run_as")]
    doc["run_as"] = "administrator"
    report = validate(doc)
    assert report.valid
    (warning,) = report.warnings
    assert (warning.code, warning.field) == ("role.broader", "run_as")
    assert "'read_only'" in warning.message


def test_unsafe_and_limits() -> None:
    doc = minimal(
        steps=[
            action("a", "core.set", value="{{ 9 ** 9 ** 9 }}"),
            action("b", "core.set", value="{{ [x for x in input] }}"),
            action("c", "core.set", value="{{ input.__class__ }}"),
        ]
    )
    found = errors(validate(doc))
    assert ("expr.unsafe", "b", "with.value") in found
    assert ("expr.unsafe", "c", "with.value") in found


def test_load_workflow_raises_with_every_issue(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        load_workflow(FIXTURES / "invalid" / "unknown_step.json")
    assert [i.code for i in info.value.issues if i.severity == "error"] == ["ref.unknown_step"]
    assert "unknown_step.json" in str(info.value)
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    with pytest.raises(DefinitionError) as info:
        load_workflow(broken)
    assert info.value.issues[0].code == "file.json"


def test_issue_shape() -> None:
    issue = Issue.make("error", "x.y", "n", "f", "m", "/steps/0", 3)
    assert issue.to_dict() == {
        "severity": "error",
        "code": "x.y",
        "node": "n",
        "field": "f",
        "message": "m",
        "pointer": "/steps/0",
        "position": 3,
    }


def test_validation_does_not_modify_the_document() -> None:
    doc = load("invalid/loop_without_bound.json")
    before = copy.deepcopy(doc)
    validate(doc)
    assert doc == before


@pytest.mark.parametrize("doc", [None, [], "x", 3])
def test_non_object_documents(doc: Any) -> None:
    assert errors(validate(doc)) == [("workflow.invalid", None, None)]


def test_pointers_stay_right_when_an_earlier_node_is_broken() -> None:
    doc = minimal(
        steps=[
            {"id": "a", "kind": "teleport"},
            {"id": "b", "kind": "loop", "items": [1, 2, 3], "max_iterations": 2, "steps": []},
            action("c", "core.log", message="{{ steps.a.output }}"),
        ]
    )
    report = validate(doc)
    found = [(i.code, i.node, i.pointer) for i in report.errors]
    assert ("node.kind", "a", "/steps/0") in found
    assert ("loop.too_many", "b", "/steps/1/items") in found
    assert not [f for f in found if f[1] == "c"]  # a broken node is not reported twice


def test_a_custom_role_granting_more_than_needed_is_warned() -> None:
    from wfbench.roles import RoleRegistry

    roles = RoleRegistry()
    roles.define("lookup", ["users:read", "users:delete"])
    doc = minimal(run_as="lookup", steps=[action("a", "users.get", id="u1")])
    report = validate(doc, roles=roles)
    assert report.valid
    (warning,) = report.warnings
    assert warning.code == "role.broader" and "users:delete" in warning.message
