"""wfbench.widgets.canvas_core: the canvas's draft, its edits, its flags and its save."""

from __future__ import annotations

import json

from wfbench.widgets.forms import IfElseForm
from wfbench.workbench import Workbench

from .support import started_canvas, text, unescaped


def test_canvas_edits_delete_move_and_rename(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    assert not cv.dirty and cv.unsaved_bar.layout.display == "none"
    cv.move("devices", -1)
    then = [s["id"] for s in cv.draft["steps"][1]["then"]]
    assert then.index("devices") < then.index("each_group")
    assert cv.dirty
    cv.up_button.click()
    assert cv.draft["steps"][1]["then"][0]["id"] == "devices"
    cv.up_button.click()  # first in its branch: it cannot go further
    assert "is already the first step here, so it cannot move up" in unescaped(cv.message)
    cv.select("user")
    cv.form.id_text.value = "person"
    assert cv.selected == "person"
    assert "steps.person.output.id" in json.dumps(cv.draft)
    cv.form.id_text.value = "is_contractor"  # taken
    assert "taken" in unescaped(cv.form.note) and cv.form.id_text.value == "person"
    cv.delete("each_group")
    assert "each_group" not in cv.graph.node_ids() and "leave" not in cv.graph.node_ids()
    assert cv.selected == "suspend"  # the step before it
    cv.discard()
    assert not cv.dirty and "each_group" in cv.graph.node_ids()
    assert cv.delete_button.disabled is False
    cv.select("trigger")
    assert cv.delete_button.disabled and cv.trigger_card is not None


def test_canvas_flags_problems_on_their_fields_and_lists_them(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    cv.select("user")
    cv.form.fields["with.email"].typed.value = "{{ input.mail }}"
    assert "invalid" not in cv.graph.classes("user")  # flags come with Save
    cv.save_button.click()
    assert "invalid" in cv.graph.classes("user")
    assert "input.mail is not in the input schema" in cv.graph.data("user")["tooltip"]
    cv.select("user")
    assert "input.mail" in unescaped(cv.form.fields["with.email"].note)
    assert "input.mail" in unescaped(cv.selection_label)
    assert "not saved" in unescaped(cv.message)
    assert wb.workflows.info("Offboard contractor").version == 1


def test_new_draft_canvas_and_the_save_refusal_of_a_taken_name(wb: Workbench) -> None:
    cv = wb.canvas()
    assert cv.name.startswith("Untitled workflow")
    cv.name_text.value = "offboard CONTRACTOR"
    assert "already exists" in unescaped(cv.name_message)
    assert cv.save() is False
    assert "not saved" in unescaped(cv.message)
    cv.name_text.value = "Fresh"
    cv.add_action("core.log", after="trigger", params={"message": "hi"})
    assert cv.save() is True
    assert wb.workflows.info("Fresh").enabled
    cv.add_action("core.log", node_id="again", params={"message": "again"})
    assert cv.save() is True and wb.workflows.info("Fresh").version == 2
    cv.save_button.click()  # nothing changed: no new version
    assert "no changes" in unescaped(cv.message) and wb.workflows.info("Fresh").version == 2
    cv.name_text.value = "Fresh and renamed"  # the same workflow, renamed
    assert cv.save() is True
    assert wb.workflows.info("Fresh and renamed").version == 3
    assert wb.workflows.find("Fresh") is None


def test_add_refuses_a_bad_or_taken_id(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    cv.select("user")
    cv.add_button.click()
    cv.add_panel.id_text.value = "Bad Id"
    cv.add_panel.confirm_button.click()
    assert "not a valid id" in unescaped(cv.message)
    cv.add_panel.id_text.value = "suspend"
    cv.add_panel.confirm_button.click()
    assert "taken" in unescaped(cv.message)
    assert not cv.dirty


def test_saved_message_goes_at_the_next_edit(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    cv.select("user")
    cv.form.description_text.value = "first"
    assert cv.save()
    assert "saved" in text(cv.message)
    cv.select("user")
    cv.form.description_text.value = "second"
    assert text(cv.message) == "" and cv.dirty


def test_save_problems_speak_to_the_notebook_user(wb: Workbench) -> None:
    cv = started_canvas(wb)
    cv.add_action("core.fail", after="user", node_id="stop")
    assert cv.save() is False
    said = text(cv.issues_html)
    assert "step 'stop', message: core.fail requires 'message': fill in its field" in said
    assert 'under "with"' not in said
    cv.select("stop")
    assert "fill in its field" in text(cv.form.fields["with.message"].note)


def test_the_three_wrong_references_are_refused_at_save_on_their_field(wb: Workbench) -> None:
    cv = started_canvas(wb)
    cv.add_if_else(
        "{{ true }} {{ steps.user.output.employee_type }}", after="user", node_id="is_contractor"
    )
    cv.add_loop(
        "{{ [] }} {{ steps.user.output.groups }}",
        as_="group",
        max_iterations=50,
        after="is_contractor",
        branch="then",
        node_id="each_group",
    )
    cv.add_action(
        "groups.remove_user",
        after="each_group",
        branch="body",
        node_id="leave",
        params={"group_id": "{{ group }}", "user_id": "{{ steps.user.output.id }}"},
    )
    assert cv.save() is False
    codes = {(i.node, i.field, i.code) for i in cv.issues if i.severity == "error"}
    assert ("is_contractor", "condition", "type.condition") in codes
    assert ("each_group", "items", "type.items") in codes
    cv.select("is_contractor")
    assert "always true" in text(cv.form.fields["condition"].note)  # type: ignore[union-attr]
    cv.select("each_group")
    assert "not a list" in text(cv.form.fields["items"].note)  # type: ignore[union-attr]
    # fix the loop with the picker: only lists are offered, and the placeholder is replaced
    loop_form = cv.form
    assert loop_form is not None
    assert loop_form.references("items") == ["steps.user.output.groups"]
    loop_form.insert_reference("steps.user.output.groups", into="items")
    assert cv.draft["steps"][1]["then"][0]["items"] == "{{ steps.user.output.groups }}"
    assert text(loop_form.fields["items"].note) == ""  # the note follows the fix
    assert cv.save() is False  # the object into group_id is refused now that group is typed
    leave = {(i.field, i.code) for i in cv.issues if i.node == "leave"}
    assert leave == {("with.group_id", "type.param")}
    cv.select("leave")
    note = text(cv.form.fields["with.group_id"].note)  # type: ignore[union-attr]
    assert "'group_id' takes text, but this gives an object" in note
    assert "step 'leave', group_id: 'group_id' takes text" in text(cv.issues_html)
    assert "group.id" in note
    offered = cv.form.references("group_id")  # type: ignore[union-attr]
    assert "group.id" in offered and "group" not in offered
    cv.form.insert_reference("group.id", into="group_id")  # type: ignore[union-attr]
    cv.select("is_contractor")
    form = cv.form
    assert isinstance(form, IfElseForm)
    form.builder.start_button.click()
    form.builder.set_row(0, "steps.user.output.employee_type", "equals", "contractor")
    assert cv.save() is True, [i.describe() for i in cv.issues]


def test_selecting_the_node_on_show_again_keeps_its_form(wb: Workbench) -> None:
    """A click on the node whose form is open, or a refused Save, does not build a new form:
    a browser that filled a box of the form on show, and left it after the kernel had
    replaced it, lost the text (seen in the clicked journey under load)."""
    cv = wb.canvas("Offboard contractor")
    cv.select("leave")
    form = cv.form
    assert form is not None and cv.panel.children == (form.widget,)
    cv.select("leave")
    assert cv.form is form
    form.fields["with.user_id"].typed.value = ""  # a mistake, sent from the form
    assert cv.form is form and cv.save() is False
    assert cv.form is form and cv.panel.children == (form.widget,)
    assert "user_id" in unescaped(form.fields["with.user_id"].note)  # the notes still follow
    cv.select("leave")
    assert cv.form is form
    cv.select("user")
    cv.form.id_text.value = "person"  # what leave may read changed: its form is new
    cv.select("leave")
    assert cv.form is not form and "steps.person.output.id" in cv.form.references("user_id")
    again = cv.form
    cv.discard()  # the draft goes back: a form that shows the saved node
    assert cv.form is not again and cv.form.node_dict()["with"]["user_id"] != ""
    cv.select("trigger")
    card = cv.trigger_card
    cv.select("trigger")
    assert cv.trigger_card is card
    cv.add_button.click()  # the add panel replaces the card: selecting it again builds it anew
    cv.select("trigger")
    assert cv.trigger_card is not card and cv.panel.children == (cv.trigger_card.widget,)
