"""The builder people can trust (issue 11) through the widgets: condition builder,
typed picker, typed checks at save on their field."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from ipywidgets.widgets.widget import CallbackDispatcher

from wfbench.model import Workflow
from wfbench.widgets.canvas_view import Canvas
from wfbench.widgets.forms import IfElseForm
from wfbench.workbench import Workbench

START = {
    "format": "wfbench/v1",
    "name": "Offboard user",
    "type": "manual",
    "run_as": "manager",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["email"],
            "properties": {"email": {"type": "string"}},
        }
    },
    "steps": [],
}


@pytest.fixture(autouse=True)
def clicks_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        value = None
        for callback in self.callbacks:
            result = callback(*args, **kwargs)
            value = result if result is not None else value
        return value

    monkeypatch.setattr(CallbackDispatcher, "__call__", call)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.duckdb"
    Workbench(path).init(demo=True)
    return path


@pytest.fixture
def wb(seeded: Path, tmp_path: Path) -> Workbench:
    target = tmp_path / "wfbench.duckdb"
    target.write_bytes(seeded.read_bytes())
    return Workbench(target)


def text(widget: Any) -> str:
    """What an HTML widget says: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(widget.value)))


def canvas(wb: Workbench) -> Canvas:
    cv = Canvas(wb, draft=Workflow.model_validate(START))
    cv.add_action("users.get", after="trigger", node_id="user")
    cv.form.insert_reference("input.email", into="email")  # type: ignore[union-attr]
    return cv


def test_the_condition_builder_writes_and_reads_back(wb: Workbench) -> None:
    cv = canvas(wb)
    cv.add_if_else("{{ true }}", after="user", node_id="is_contractor")
    form = cv.form
    assert isinstance(form, IfElseForm)
    builder = form.builder
    assert builder.readable and len(builder.rows) == 1  # the placeholder opens as one empty test
    fields = [v for _, v in builder.rows[0].field.options]
    assert "steps.user.output.employee_type" in fields
    assert "steps.user.output" not in fields  # a whole object is not a test
    builder.set_row(0, "steps.user.output.employee_type", "equals", "contractor")
    condition = "{{ steps.user.output.employee_type == 'contractor' }}"
    assert cv.draft["steps"][1]["condition"] == condition
    builder.set_row(1, "steps.user.output.department", "in", "Sales, Legal")
    builder.join.value = "any"
    assert cv.draft["steps"][1]["condition"] == (
        "{{ steps.user.output.employee_type == 'contractor' or "
        "steps.user.output.department in ['Sales', 'Legal'] }}"
    )
    builder.rows[1].remove_button.click()
    assert cv.draft["steps"][1]["condition"] == condition
    cv.select("user")
    cv.select("is_contractor")  # reopened: the expression opens in the builder again
    again = cv.form
    assert isinstance(again, IfElseForm)
    row = again.builder.rows[0]
    assert (row.field.value, row.op.value, row.value.value) == (
        "steps.user.output.employee_type",
        "equals",
        "contractor",
    )


def test_a_hand_written_condition_it_cannot_read_stays(wb: Workbench) -> None:
    cv = canvas(wb)
    cv.add_if_else("{{ not steps.user.output.mfa_enrolled }}", after="user", node_id="b")
    form = cv.form
    assert isinstance(form, IfElseForm)
    assert not form.builder.readable and "written by hand" in text(form.builder.note)
    assert cv.draft["steps"][1]["condition"] == "{{ not steps.user.output.mfa_enrolled }}"
    form.builder.start_button.click()
    form.builder.set_row(0, "steps.user.output.mfa_enrolled", "equals", "false")
    assert cv.draft["steps"][1]["condition"] == "{{ steps.user.output.mfa_enrolled == false }}"


def test_the_three_wrong_references_are_refused_at_save_on_their_field(wb: Workbench) -> None:
    cv = canvas(wb)
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


def test_leaving_with_unsaved_changes_asks_and_stale_messages_go(wb: Workbench) -> None:
    ov = wb.overview()
    ov.open("Offboard contractor")
    cv = ov.canvas
    assert cv is not None
    assert "wfb-floating" in cv.unsaved_bar._dom_classes  # the bar floats in view
    cv.select("user")
    cv.form.set_field("email", "{{ input.email }}  ")
    assert cv.dirty and cv.unsaved_bar.layout.display is None
    cv.back_button.click()
    assert ov.page == "canvas" and cv.leave_prompt.shown  # asked, not left
    assert "unsaved changes" in text(cv.leave_prompt.label)
    cv.leave_prompt.stay_button.click()
    assert ov.page == "canvas" and not cv.leave_prompt.shown and cv.dirty
    cv.back_button.click()
    cv.leave_prompt.discard_button.click()
    assert ov.page == "overview"
    assert (
        wb.get("Offboard contractor").steps[0].model_dump(by_alias=True)["with"]["email"]
        == "{{ input.email }}"
    )
    ov.open("Offboard contractor")
    cv = ov.canvas
    assert cv is not None and not cv.dirty
    cv.select("user")
    cv.form.description_text.value = "look the person up"
    cv.back_button.click()
    cv.leave_prompt.save_button.click()
    assert ov.page == "overview"
    assert wb.get("Offboard contractor").steps[0].description == "look the person up"


def test_saved_message_goes_at_the_next_edit(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    cv.select("user")
    cv.form.description_text.value = "first"
    assert cv.save()
    assert "saved" in text(cv.message)
    cv.select("user")
    cv.form.description_text.value = "second"
    assert text(cv.message) == "" and cv.dirty


def test_the_enable_toggle_sits_on_the_canvas(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    assert cv.enable_toggle.value is True and cv.enable_toggle.description == "Enabled"
    assert cv.enable_toggle in cv.page.children[1].children  # in the header, by Run workflow
    cv.enable_toggle.value = False
    assert wb.workflows.info("Offboard contractor").enabled is False
    assert cv.run_button.disabled and "toggle" in cv.run_button.tooltip
    assert "disabled: it cannot be run" in text(cv.message)
    assert "wfbench enable" not in text(cv.message)
    cv.enable_toggle.value = True
    assert wb.workflows.info("Offboard contractor").enabled is True and not cv.run_button.disabled
    fresh = Canvas(wb, draft=Workflow.model_validate(START))
    assert fresh.enable_toggle.layout.visibility == "hidden"  # nothing to switch before a save


def test_the_run_dialog_is_bounded_quiet_until_typed_and_speaks_to_the_notebook(
    wb: Workbench,
) -> None:
    cv = wb.canvas("Offboard contractor")
    rd = cv.open_run_dialog()
    rd.json_text.value = "{}"  # the sample replaced: email is required
    assert "email" in text(rd.problems) and "/:" not in text(rd.problems)
    assert "<b>the input</b>" in rd.problems.value or "<b>email</b>" in rd.problems.value
    rd.close_button.click()
    assert cv.run_dialog is None and cv.run_area.children == ()
    wb.save({**START, "name": "Needs input", "run_as": "read_only"})
    rd = wb.canvas("Needs input").open_run_dialog()  # no sample: the input is missing email
    assert rd.problems.value == ""  # but nothing typed yet: no red
    rd = cv.open_run_dialog()
    rd.json_text.value = '{"email": }'
    assert text(rd.problems) == (
        "✖ the input is not valid JSON: at line 1, column 11, a value is expected here "
        "(text in double quotes, a number, true, false, null, [ or {)"
    )
    assert rd.run_button.disabled
    rd.json_text.value = '{"email": "ada.lovelace@example.com"}'
    assert not rd.run_button.disabled
    wb.workflows.disable("Offboard contractor")
    rd.run_button.click()
    said = text(rd.problems)
    assert "switch it on with the Enabled toggle" in said
    assert "wfbench" not in said and "/:" not in said
    assert said.count("is disabled") == 1


def test_save_problems_speak_to_the_notebook_user(wb: Workbench) -> None:
    cv = canvas(wb)
    cv.add_action("core.fail", after="user", node_id="stop")
    assert cv.save() is False
    said = text(cv.issues_html)
    assert "step 'stop', message: core.fail requires 'message': fill in its field" in said
    assert 'under "with"' not in said
    cv.select("stop")
    assert "fill in its field" in text(cv.form.fields["with.message"].note)
