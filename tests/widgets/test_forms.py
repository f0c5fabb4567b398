"""wfbench.widgets.forms: a selected node's panel, generated from its action's input model."""

from __future__ import annotations

from typing import Any

from wfbench.actions import builtin_registry
from wfbench.widgets.forms import ActionForm, IfElseForm, LoopForm
from wfbench.widgets.typeahead import TypeAhead

CATALOGUE = builtin_registry()


def test_action_form_is_generated_from_the_input_model() -> None:
    import ipywidgets as w

    node = {
        "id": "search",
        "kind": "action",
        "action": "users.search",
        "with": {"department": "it", "limit": 10},
    }
    changes: list[tuple[dict[str, Any], str]] = []
    form = ActionForm(
        node,
        CATALOGUE.get("users.search"),
        ["input", "input.team"],
        lambda n, old: changes.append((n, old)),
    )
    department = form.fields["with.department"].typeahead
    assert isinstance(department, TypeAhead) and not department.whole  # text: at the cursor
    assert department.box is form.fields["with.department"].typed  # an ordinary Text
    assert isinstance(form.fields["with.employee_type"].typed, w.Dropdown)
    assert [o[1] for o in form.fields["with.employee_type"].typed.options] == [
        None,
        "employee",
        "contractor",
    ]
    assert isinstance(form.fields["with.limit"].typed, w.IntText)
    assert form.fields["with.limit"].typed.value == 10
    assert form.node_dict()["with"] == {"department": "it", "limit": 10}
    form.fields["with.employee_type"].typed.value = "contractor"
    assert changes[-1][0]["with"] == {
        "department": "it",
        "employee_type": "contractor",
        "limit": 10,
    }
    assert changes[-1][1] == "search"

    create = ActionForm(
        {"id": "c", "kind": "action", "action": "users.create", "with": {}},
        CATALOGUE.get("users.create"),
        [],
        lambda n, o: None,
    )
    assert "first_name *" in create.fields["with.first_name"].label.value
    assert "*" not in create.fields["with.manager_email"].label.value
    core_set = ActionForm(
        {"id": "s", "kind": "action", "action": "core.set", "with": {}},
        CATALOGUE.get("core.set"),
        [],
        lambda n, o: None,
    )
    assert isinstance(core_set.fields["with.value"].typed, w.Textarea)  # any JSON
    core_set.fields["with.value"].typed.value = '{"a": [1, 2]}'
    assert core_set.node_dict()["with"] == {"value": {"a": [1, 2]}}


def test_untouched_defaults_stay_out_of_the_definition() -> None:
    form = ActionForm(
        {"id": "s", "kind": "action", "action": "users.search", "with": {}},
        CATALOGUE.get("users.search"),
        [],
        lambda n, o: None,
    )
    assert form.node_dict() == {"id": "s", "kind": "action", "action": "users.search", "with": {}}


def test_insert_reference_into_text_and_typed_fields() -> None:
    node = {"id": "s", "kind": "action", "action": "users.search", "with": {}}
    refs = ["input", "input.team", "input.limit"]
    form = ActionForm(node, CATALOGUE.get("users.search"), refs, lambda n, o: None)
    assert form.references() == refs  # bare references: of unknown kind, offered everywhere
    assert "with.department" in form.targets and "on_error" not in form.targets
    department = form.fields["with.department"].typeahead
    assert department.offered() == refs  # its type-ahead list
    department.pick("input.team")  # a pick from the list
    form.insert_reference("input.limit", "limit")  # an int field switches to ƒx
    limit = form.fields["with.limit"]
    assert limit.expression_mode and limit.expr in limit.row.children
    assert form.node_dict()["with"] == {
        "department": "{{ input.team }}",
        "limit": "{{ input.limit }}",
    }


def test_if_else_and_loop_forms() -> None:
    seen: list[dict[str, Any]] = []
    branch = IfElseForm(
        {"id": "b", "kind": "if_else", "condition": "{{ true }}"},
        ["input", "input.x"],
        lambda n, o: seen.append(n),
    )
    assert branch.targets == ["condition"]
    branch.insert_reference("input.x")
    assert seen[-1]["condition"] == "{{ input.x }}"  # the placeholder is replaced, not extended
    loop = LoopForm(
        {"id": "l", "kind": "loop", "items": "{{ [] }}", "as": "item", "max_iterations": 100},
        ["input"],
        lambda n, o: seen.append(n),
    )
    loop.set_field("max_iterations", 7)
    assert seen[-1] == {
        "id": "l",
        "kind": "loop",
        "items": "{{ [] }}",
        "as": "item",
        "max_iterations": 7,
    }
    loop.set_field("items", [1, 2])
    assert seen[-1]["items"] == [1, 2]
