"""wfbench.widgets.picker: references offered by the kind a field wants, and inserted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wfbench.actions import builtin_registry
from wfbench.widgets import edit
from wfbench.widgets.forms import ActionForm, IfElseForm, LoopForm
from wfbench.widgets.picker import insert_reference
from wfbench.widgets.scope import typed_references

from .support import SAMPLES

CATALOGUE = builtin_registry()


def test_the_picker_offers_typed_fields_that_fit_and_replaces_placeholders() -> None:
    offboard = json.loads((SAMPLES / "offboard_contractor.json").read_text())
    refs = typed_references(offboard, "leave", CATALOGUE)
    assert ("steps.user.output.employee_type", "string") in refs
    assert ("group.id", "string") in refs and ("group", "object") in refs
    leave = edit.find(offboard, "leave")
    assert leave is not None
    form = ActionForm(leave, CATALOGUE.get("groups.remove_user"), refs, lambda n, o: None)
    offered = form.references("group_id")
    assert "group.id" in offered and "steps.user.output.id" in offered
    assert "group" not in offered and "steps.user.output.groups" not in offered
    assert "input.notify" not in offered  # a boolean does not fit a text field
    listed = form.fields["with.group_id"].typeahead.suggestions
    assert {"value": "group.id", "kind": "string", "text": ""} in listed
    assert [s["value"] for s in listed] == offered  # the list offers just what fits
    with pytest.raises(KeyError, match="does not fit"):
        form.insert_reference("group", "group_id")
    form.insert_reference("group.name", "group_id")  # replaces what was there
    assert form.node_dict()["with"]["group_id"] == "{{ group.name }}"
    branch = edit.find(offboard, "is_contractor")
    assert branch is not None
    cond = IfElseForm(branch, typed_references(offboard, "is_contractor", CATALOGUE), print)
    assert cond.references("condition") == ["input.notify", "steps.user.output.mfa_enrolled"]
    each = edit.find(offboard, "each_group")
    assert each is not None
    loop = LoopForm(each, typed_references(offboard, "each_group", CATALOGUE), print)
    assert loop.references("items") == ["steps.user.output.groups", "steps.suspend.output.groups"]


@pytest.mark.parametrize(
    ("current", "wants", "after"),
    [
        ("", "string", "{{ x }}"),
        ("{{ true }}", "boolean", "{{ x }}"),
        ("{{ [] }}", "list", "{{ x }}"),
        ("anything at all", "list", "{{ x }}"),  # one expression is the only right value
        ("{{ input.id }}", "string", "{{ x }}"),
        ("Hello", "string", "Hello {{ x }}"),  # text with words: appended
        ("Dear {{ a }},", "unknown", "Dear {{ a }}, {{ x }}"),
    ],
)
def test_insertion_replaces_a_placeholder(current: str, wants: Any, after: str) -> None:
    assert insert_reference(current, "x", wants) == after
