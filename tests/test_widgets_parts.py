"""The parts under the notebook views: scope, schema inference, draft edits, forms, graph widget.

Widgets are created without a browser (ipywidgets' dummy comm); every click
goes through ``Button.click()``, the code twin of the mouse.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest
from ipywidgets.widgets.widget import CallbackDispatcher

from wfbench.actions import builtin_registry
from wfbench.model import to_document
from wfbench.validation import load_workflow
from wfbench.widgets import edit, typeahead
from wfbench.widgets.base import View
from wfbench.widgets.cytoscape import GraphView
from wfbench.widgets.forms import ActionForm, FieldEditor, IfElseForm, LoopForm, field_kind
from wfbench.widgets.graph import TRIGGER, elements
from wfbench.widgets.picker import insert_reference
from wfbench.widgets.schema import MISSING, FieldSpec, fields_of, schema_from_fields
from wfbench.widgets.scope import references_in_scope, typed_references
from wfbench.widgets.trigger import TriggerCard, infer_schema
from wfbench.widgets.typeahead import TypeAhead

SAMPLES = Path(__file__).parent.parent / "wfbench" / "samples"
CATALOGUE = builtin_registry()


@pytest.fixture(autouse=True)
def clicks_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    """ipywidgets logs an exception in a click handler and goes on; a test must fail."""

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        value = None
        for callback in self.callbacks:
            result = callback(*args, **kwargs)
            value = result if result is not None else value
        return value

    monkeypatch.setattr(CallbackDispatcher, "__call__", call)


@pytest.fixture
def offboard() -> dict[str, Any]:
    return to_document(load_workflow(SAMPLES / "offboard_contractor.json"))


# --------------------------------------------------------------------------- import hygiene


def test_import_wfbench_does_not_import_widget_libraries() -> None:
    code = (
        "import sys, wfbench, wfbench.workbench, wfbench.widgets, wfbench.widgets.graph\n"
        "bad = [m for m in ('ipywidgets', 'ipycytoscape') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- scope


def test_scope_offers_input_and_earlier_step_outputs(offboard: dict[str, Any]) -> None:
    refs = references_in_scope(offboard, "user", CATALOGUE)
    assert refs == ["input", "input.email", "input.notify"]
    refs = references_in_scope(offboard, "suspend", CATALOGUE)
    assert "steps.user.output.employee_type" in refs
    assert "steps.user.output.groups" in refs
    assert "steps.user.status" in refs
    assert not any(r.startswith("steps.is_contractor") for r in refs)  # runs around it
    assert not any(r.startswith("steps.suspend") for r in refs)  # itself


def test_scope_inside_a_loop_has_its_variable_and_index(offboard: dict[str, Any]) -> None:
    refs = references_in_scope(offboard, "leave", CATALOGUE)
    assert refs[-2:] == ["group", "loop.index"]
    assert "steps.suspend.output.id" in refs
    assert not any(r.startswith("steps.each_group") for r in refs)


def test_scope_after_a_loop_and_an_if_else(offboard: dict[str, Any]) -> None:
    refs = references_in_scope(offboard, "devices", CATALOGUE)
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


# --------------------------------------------------------------------------- schema


def test_infer_schema_from_a_sample() -> None:
    schema = infer_schema(
        {
            "email": "ada@example.com",
            "notify": True,
            "count": 3,
            "ratio": 0.5,
            "groups": ["a", "b"],
            "manager": None,
            "when": "2026-01-02",
            "mixed": [1, 2.5],
            "profile": {"team": "it"},
        }
    )
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    props = schema["properties"]
    assert props["email"] == {"type": "string", "format": "email"}
    assert props["notify"] == {"type": "boolean"}
    assert props["count"] == {"type": "integer"}
    assert props["ratio"] == {"type": "number"}
    assert props["groups"] == {"type": "array", "items": {"type": "string"}}
    assert props["manager"] == {}
    assert props["when"] == {"type": "string", "format": "date"}
    assert props["mixed"] == {"type": "array", "items": {"type": "number"}}
    assert props["profile"]["properties"] == {"team": {"type": "string"}}
    assert "manager" not in schema["required"] and "email" in schema["required"]


def test_inferred_schema_accepts_its_sample() -> None:
    import jsonschema

    sample = {"email": "ada@example.com", "tags": [], "n": 1, "nested": {"x": [True]}}
    jsonschema.Draft202012Validator(infer_schema(sample)).validate(sample)


def test_fields_round_trip_keeps_what_the_table_does_not_show() -> None:
    schema = {
        "type": "object",
        "required": ["email"],
        "additionalProperties": False,
        "properties": {
            "email": {"type": "string", "format": "email", "minLength": 3},
            "notify": {"type": "boolean", "default": True},
            "team": {"type": "string", "enum": ["it", "hr"]},
        },
    }
    rows = fields_of(schema)
    assert [(r.name, r.type, r.required) for r in rows] == [
        ("email", "string", True),
        ("notify", "boolean", False),
        ("team", "string", False),
    ]
    assert rows[1].default is True and rows[0].default is MISSING
    assert rows[2].enum == ["it", "hr"]
    assert schema_from_fields(rows, schema) == schema
    rows[0].type = "integer"  # format makes no sense on a number: dropped
    assert schema_from_fields(rows, schema)["properties"]["email"] == {
        "type": "integer",
        "minLength": 3,
    }
    rows.append(FieldSpec("count", "integer", True, 5))
    out = schema_from_fields(rows, schema)
    assert out["required"] == ["email", "count"]
    assert out["properties"]["count"] == {"type": "integer", "default": 5}


# --------------------------------------------------------------------------- draft edits


def test_insert_remove_move_in_any_branch(offboard: dict[str, Any]) -> None:
    edit.insert(offboard, edit.new_node("action", "first", "core.log"))
    assert offboard["steps"][0]["id"] == "first"
    edit.insert(offboard, edit.new_node("action", "after_user", "core.log"), after="user")
    assert [n["id"] for n in offboard["steps"][:3]] == ["first", "user", "after_user"]
    edit.insert(offboard, edit.new_node("loop", "in_else"), into="is_contractor", branch="else")
    assert edit.find(offboard, "is_contractor")["else"][-1]["id"] == "in_else"
    edit.insert(offboard, edit.new_node("if_else", "in_body"), into="in_else", branch="steps")
    assert edit.find(offboard, "in_else")["steps"][0]["id"] == "in_body"
    assert edit.move(offboard, "after_user", -1) is True
    assert [n["id"] for n in offboard["steps"][:3]] == ["first", "after_user", "user"]
    assert edit.move(offboard, "first", -1) is False
    removed = edit.remove(offboard, "in_else")
    assert removed["steps"][0]["id"] == "in_body" and edit.find(offboard, "in_body") is None
    with pytest.raises(KeyError):
        edit.insert(offboard, {}, after="nope")


def test_rename_rewrites_references(offboard: dict[str, Any]) -> None:
    edit.rename(offboard, "user", "person")
    assert edit.find(offboard, "person") is not None
    assert edit.find(offboard, "is_contractor")["condition"] == (
        "{{ steps.person.output.employee_type == 'contractor' }}"
    )
    suspend = edit.find(offboard, "suspend")
    assert suspend["with"] == {"user_id": "{{ steps.person.output.id }}"}
    assert "steps.user." not in json.dumps(offboard)


def test_unique_and_valid_ids(offboard: dict[str, Any]) -> None:
    assert edit.unique_id(offboard, "users.get") == "users_get"
    assert edit.unique_id(offboard, "user") == "user_2"
    assert edit.unique_id(offboard, "9 lives") == "s_9_lives"
    assert edit.valid_id("ok_1") and not edit.valid_id("Bad") and not edit.valid_id("1x")


# --------------------------------------------------------------------------- forms


def test_field_kinds_follow_the_parameter_types() -> None:
    from typing import Literal

    assert field_kind(str) == ("text", [])
    assert field_kind(bool) == ("bool", [])
    assert field_kind(bool | None) == ("tristate", [])
    assert field_kind(int) == ("int", [])
    assert field_kind(int | None) == ("number_text", [])
    assert field_kind(float) == ("float", [])
    assert field_kind(Literal["a", "b"]) == ("choice", ["a", "b"])
    assert field_kind(Literal["a", "b"] | None) == ("choice", ["a", "b"])
    assert field_kind(dict[str, Any]) == ("json", [])
    assert field_kind(Any) == ("json", [])
    assert field_kind(list[str]) == ("json", [])


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


def test_typed_field_holds_an_expression_from_the_definition() -> None:
    editor = FieldEditor("limit", "int", default=50, value="{{ input.n }}")
    assert editor.expression_mode and editor.value() == "{{ input.n }}"
    editor.expr_toggle.value = False
    assert editor.value() == 50  # the typed box again; the field was given, so it stays
    assert FieldEditor("limit", "int", default=50).value() is MISSING  # untouched default


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


# --------------------------------------------------------------------------- trigger card


def test_trigger_card_edits_fields_sample_and_schema() -> None:
    seen: list[dict[str, Any]] = []
    card = TriggerCard({}, seen.append)
    card.sample_text.value = json.dumps({"email": "ada@example.com", "notify": True})
    assert seen[-1]["sample_input"] == {"email": "ada@example.com", "notify": True}
    card.infer_button.click()
    assert [r.name_text.value for r in card.rows] == ["email", "notify"]
    assert seen[-1]["input_schema"]["properties"]["email"]["format"] == "email"
    notify = card.rows[1]
    notify.required_check.value = False
    notify.default_text.value = "true"
    schema = seen[-1]["input_schema"]
    assert schema["required"] == ["email"]
    assert schema["properties"]["notify"] == {"type": "boolean", "default": True}
    card.add_field("team", "string", enum=["it", "hr"])
    assert seen[-1]["input_schema"]["properties"]["team"] == {
        "type": "string",
        "enum": ["it", "hr"],
    }
    card.remove_field("notify")
    assert list(seen[-1]["input_schema"]["properties"]) == ["email", "team"]
    assert json.loads(card.schema_text.value) == seen[-1]["input_schema"]
    # the JSON Schema box edits the table too
    card.schema_text.value = json.dumps(
        {"type": "object", "properties": {"n": {"type": "integer"}}}
    )
    assert [(r.name_text.value, r.type_select.value) for r in card.rows] == [("n", "integer")]
    card.sample_text.value = "{not json"
    assert "not JSON" in card.message.value
    assert seen[-1]["input_schema"] == {"type": "object", "properties": {"n": {"type": "integer"}}}


def test_infer_needs_an_object_sample() -> None:
    card = TriggerCard({"sample_input": None}, lambda t: None)
    card.infer_button.click()
    assert "give a sample input" in card.message.value


# --------------------------------------------------------------------------- graph widget


def test_graph_view_updates_in_place_and_rebuilds_on_structure(
    offboard: dict[str, Any],
) -> None:
    clicked: list[str] = []
    view = GraphView(on_select=clicked.append)
    view.set_elements(elements(offboard))
    assert view.rebuilds == 1
    assert set(view.node_ids()) >= {TRIGGER, "user", "leave"}
    assert len(view.edge_ids()) == len(elements(offboard)["edges"])
    assert view.data("leave")["parent"] == "each_group"
    # looks only: the same widgets are updated
    node_widget = view._nodes["user"]
    view.set_elements(elements(offboard, statuses={"user": "failed"}))
    assert view.rebuilds == 1 and view._nodes["user"] is node_widget
    assert "status-failed" in view.classes("user")
    # structure: one new batch
    edit.insert(offboard, edit.new_node("action", "extra", "core.log"), after="user")
    view.set_elements(elements(offboard))
    assert view.rebuilds == 2 and "extra" in view.node_ids()
    view.click("extra")
    assert clicked == ["extra"]


def test_live_status_and_selection_change_classes_only(offboard: dict[str, Any]) -> None:
    view = GraphView()
    view.set_elements(elements(offboard))
    widget = view._cy
    view.set_status("user", "running")
    assert view.classes("user") == {"action", "status-running"}
    view.set_status("user", "succeeded")
    view.choose("user")
    assert view.classes("user") == {"action", "status-succeeded", "chosen"}
    view.set_statuses({"suspend": "failed"})
    assert view.classes("user") == {"action", "chosen"}
    assert "status-failed" in view.classes("suspend")
    view.set_elements(elements(offboard))  # redraws keep live colours and the selection
    assert "status-failed" in view.classes("suspend") and "chosen" in view.classes("user")
    assert view._cy is widget and view.rebuilds == 1
    with pytest.raises(KeyError):
        view.classes("nope")


def test_graph_height_is_applied_once_shown(offboard: dict[str, Any]) -> None:
    view = GraphView(height="640px")
    view.set_elements(elements(offboard))
    assert view._cy.layout.height is None  # not before display: it would clip at 400 px
    view._cy._view_count = 1  # what the front end reports when it draws the widget
    assert view._cy.layout.height == "640px"
    view.resize()
    assert view._cy.layout.height == "641px"


def test_a_tall_graph_opens_readable_at_its_top_instead_of_fitted() -> None:
    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    try:
        from validate import generate
    finally:
        sys.path.pop(0)
    small, tall = GraphView(), GraphView()
    small.set_elements(elements(to_document(load_workflow(SAMPLES / "offboard_contractor.json"))))
    tall.set_elements(elements(generate(300)))
    assert small._cy.cytoscape_layout == {
        "name": "preset",
        "animate": False,
        "padding": 24,
        "fit": True,
    }
    layout = tall._cy.cytoscape_layout
    assert layout["fit"] is False and layout["zoom"] == 0.8
    assert layout["pan"]["y"] == 40.0 - 24.0 * 0.8  # the trigger card at the top
    tall._cy._view_count = 1  # shown: the height is set, and the top is restored after it
    # the box grows with the graph (drawn at 0.8) and the page's box scrolls beyond
    assert tall._cy.layout.height == f"{tall.natural * 0.8:.0f}px"
    assert tall.natural > 1800 and tall.widget.layout.overflow == "auto"


def test_the_graph_box_grows_with_the_graph_and_zoom_has_buttons(
    offboard: dict[str, Any],
) -> None:
    """Issue 21: never cut (the box follows the graph up to the page, then scrolls), the
    wheel scrolls the page (cytoscape's wheel zoom off), zoom by buttons."""
    view = GraphView()
    view.set_elements(elements(offboard))
    assert view._cy.user_zooming_enabled is False
    assert view.widget.layout.max_height == "calc(100vh - 224px)"
    assert view.widget.layout.overflow == "auto"
    natural = view.natural
    assert natural > 420
    assert view.height == (
        f"max(min({natural:.0f}px, calc(100vh - 240px)), {max(420, natural * 0.5):.0f}px)"
    )
    view._cy._view_count = 1
    assert view._cy.layout.height == view.height
    view.zoom(1.25)
    assert f"{natural * 1.25:.0f}px" in view._cy.layout.height
    view.fit()
    assert view.scale == 1.0 and f"{natural:.0f}px" in view._cy.layout.height
    small = GraphView()
    small.set_elements(elements({"name": "x", "run_as": "read_only", "steps": []}))
    assert small.height.startswith("max(min(420px")  # a tiny graph keeps the minimum box


class Tiny(View):
    """The least view: a widget, a title."""

    def __init__(self) -> None:
        self.widget = w.HTML("tiny")

    @property
    def tab_title(self) -> str:
        return "wfbench: tiny"


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What views display (IPython's display, caught), with a fresh page script."""
    import IPython.display

    caught: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: caught.extend(objs))
    monkeypatch.setattr(typeahead, "_script", [])
    monkeypatch.delenv("WFBENCH_TABS", raising=False)
    return caught


def test_a_view_moves_to_its_own_tab_once_the_page_says_it_is_jupyterlab(
    shown: list[Any],
) -> None:
    first = Tiny()
    first._ipython_display_()
    script, holder = shown[-2:]
    assert script is typeahead.page_script() and first.widget in holder.children  # inline
    assert first.tab is None  # no page has answered (as under nbval): it stays inline
    script.frontend = "jupyterlab"  # the page script's answer, from the browser
    assert first.tab is not None and first.tab.title == "wfbench: tiny"
    assert "opened in its own tab" in holder.children[0].value  # the notebook says where
    assert shown[-1] is first.widget  # displayed inside the tab
    second = Tiny()
    second._ipython_display_()  # from now on, a tab at once
    assert second.tab is not None and "opened in its own tab" in shown[-1].value


def test_elsewhere_or_when_told_a_view_stays_inline(
    shown: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    view = Tiny()
    view._ipython_display_()
    typeahead.page_script().frontend = "other"  # Notebook 7, Voila
    assert view.tab is None and view.widget in shown[-1].children
    monkeypatch.setenv("WFBENCH_TABS", "0")
    monkeypatch.setattr(typeahead, "_script", [])
    typeahead.page_script().frontend = "jupyterlab"
    inline = Tiny()
    inline._ipython_display_()
    assert inline.tab is None and shown[-1] is inline.widget
