"""What a node may read (wfbench.validation.scope): the rules the checker and the widgets share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wfbench.actions import builtin_registry
from wfbench.model import Workflow, to_document
from wfbench.validation import references_in_scope, validate
from wfbench.validation.scope import Scope, scope_at, walk

SAMPLES = Path(__file__).parents[2] / "wfbench" / "samples"
CATALOGUE = builtin_registry()


def offboard() -> Workflow:
    doc = json.loads((SAMPLES / "offboard_contractor.json").read_text())
    return Workflow.model_validate(doc)


def nested() -> dict[str, Any]:
    return {
        "name": "n",
        "run_as": "read_only",
        "steps": [
            {"id": "first", "kind": "action", "action": "users.get"},
            {
                "id": "branch",
                "kind": "if_else",
                "condition": True,
                "then": [
                    {"id": "t", "kind": "action", "action": "users.get"},
                    {
                        "id": "each",
                        "kind": "loop",
                        "items": [1],
                        "as": "x",
                        "max_iterations": 5,
                        "steps": [{"id": "inner", "kind": "action", "action": "core.log"}],
                    },
                ],
                "else": [{"id": "e", "kind": "action", "action": "users.get"}],
            },
            {"id": "after", "kind": "action", "action": "core.log"},
        ],
    }


def test_walk_visits_in_run_order_with_pointers() -> None:
    wf = Workflow.model_validate(nested())
    seen = [(node.id, pointer) for node, pointer, _ in walk(wf.steps)]
    assert seen == [
        ("first", "/steps/0"),
        ("branch", "/steps/1"),
        ("t", "/steps/1/then/0"),
        ("each", "/steps/1/then/1"),
        ("inner", "/steps/1/then/1/steps/0"),
        ("e", "/steps/1/else/0"),
        ("after", "/steps/2"),
    ]


def test_a_branch_sees_what_ran_before_the_if_else_only() -> None:
    wf = Workflow.model_validate(nested())
    assert list(_ran(scope_at(wf, "e"))) == ["first"]
    assert list(_ran(scope_at(wf, "t"))) == ["first"]


def test_after_an_if_else_its_branches_may_have_been_skipped() -> None:
    scope = scope_at(Workflow.model_validate(nested()), "after")
    assert scope is not None
    assert scope.ran == {"first": False, "t": True, "each": True, "e": True, "branch": False}
    assert "inner" not in scope.ran  # once per item: only the loop's output is there
    assert scope.loops == () and scope.loop_vars == {}


def test_a_loop_body_has_its_variable_and_loop() -> None:
    scope = scope_at(Workflow.model_validate(nested()), "inner")
    assert scope is not None
    assert scope.loops == ("each",)
    assert list(scope.loop_vars) == ["x"]
    assert "t" in scope.ran and "each" not in scope.ran


def test_scope_at_an_unknown_node_is_none() -> None:
    assert scope_at(offboard(), "nope") is None


def test_every_offered_reference_validates() -> None:
    """The helper offers only what validation accepts, at every node of the sample."""
    doc = json.loads((SAMPLES / "offboard_contractor.json").read_text())
    for node, _, _ in walk(offboard().steps):
        for ref in references_in_scope(doc, node.id, CATALOGUE)[1:]:
            probe = json.loads(json.dumps(doc))
            _set_probe(probe["steps"], node.id, "{{ " + ref + " }}")
            errors = validate(probe).errors
            bad = [i for i in errors if i.code.startswith("ref.") and i.node == node.id]
            assert bad == [], (node.id, ref, bad)


def test_a_broken_node_elsewhere_does_not_hide_the_scope() -> None:
    doc = nested()
    doc["steps"][0]["retry"] = {"max_attempts": "many"}  # refused by the model
    refs = references_in_scope(doc, "after", CATALOGUE)
    assert "steps.first.output" in refs and "steps.t.output.email" in refs


def _ran(scope: Scope | None) -> dict[str, bool]:
    assert scope is not None
    return scope.ran


def _set_probe(steps: list[dict[str, Any]], node_id: str, text: str) -> bool:
    for node in steps:
        if node["id"] == node_id:
            if node["kind"] == "action":
                node["with"] = {**node.get("with", {}), "message": text}
                node["action"] = "core.log"
            elif node["kind"] == "if_else":
                node["condition"] = text
            else:
                node["items"] = text
            return True
        for key in ("then", "else", "steps"):
            if _set_probe(node.get(key, []), node_id, text):
                return True
    return False


def test_a_node_being_edited_still_has_its_scope() -> None:
    """The helper runs on drafts: a loop without a valid bound still offers its variable."""
    doc = nested()
    loop = doc["steps"][1]["then"][1]
    del loop["max_iterations"]
    loop["as"] = "member"
    refs = references_in_scope(doc, "inner", CATALOGUE)
    assert refs[-2:] == ["member", "loop.index"]
    assert "steps.t.output.email" in refs
    assert [r for r in refs if r.startswith("steps.each")] == []


def test_scope_offers_input_and_earlier_step_outputs() -> None:
    sample = to_document(offboard())
    refs = references_in_scope(sample, "user", CATALOGUE)
    assert refs == ["input", "input.email", "input.notify"]
    refs = references_in_scope(sample, "suspend", CATALOGUE)
    assert "steps.user.output.employee_type" in refs
    assert "steps.user.output.groups" in refs
    assert "steps.user.status" in refs
    assert not any(r.startswith("steps.is_contractor") for r in refs)  # runs around it
    assert not any(r.startswith("steps.suspend") for r in refs)  # itself


def test_scope_inside_a_loop_has_its_variable_and_index() -> None:
    sample = to_document(offboard())
    refs = references_in_scope(sample, "leave", CATALOGUE)
    assert refs[-2:] == ["group", "loop.index"]
    assert "steps.suspend.output.id" in refs
    assert not any(r.startswith("steps.each_group") for r in refs)


def test_scope_after_a_loop_and_an_if_else() -> None:
    sample = to_document(offboard())
    refs = references_in_scope(sample, "devices", CATALOGUE)
    assert "steps.each_group.output" in refs
    assert not any(r.startswith("steps.leave") for r in refs)  # once per item: not after
    assert "group" not in refs and "loop.index" not in refs
    doc = {
        "steps": [
            {
                "id": "b",
                "kind": "if_else",
                "condition": True,
                "then": [{"id": "t", "kind": "action", "action": "users.get"}],
                "else": [],
            },
            {"id": "after", "kind": "action", "action": "core.log"},
        ]
    }
    refs = references_in_scope(doc, "after", CATALOGUE)
    assert "steps.t.output.email" in refs  # may be skipped, still readable
    assert "steps.b.output.branch" in refs
    assert references_in_scope(doc, "t", CATALOGUE) == ["input"]
    assert references_in_scope(doc, None, CATALOGUE) == ["input"]
