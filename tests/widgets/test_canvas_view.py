"""wfbench.widgets.canvas_view: the canvas's header, its ways off the page, its dialogs."""

from __future__ import annotations

from wfbench.model import Workflow
from wfbench.widgets.canvas_view import Canvas
from wfbench.workbench import Workbench

from .support import OFFBOARD, START, edited_canvas, text, unescaped


def test_running_needs_a_saved_workflow(wb: Workbench) -> None:
    cv = wb.canvas()
    cv.run_button.click()
    assert cv.run_dialog is None and "save the workflow" in unescaped(cv.message)


def test_execution_history_asks_before_leaving_unsaved_edits(wb: Workbench) -> None:
    ov, cv = edited_canvas(wb)
    cv.history_button.click()
    assert cv.leave_prompt.shown and ov.page == "canvas"  # asked, not gone
    cv.leave_prompt.stay_button.click()
    assert ov.page == "canvas" and cv.dirty and cv.name == "Offboard contractor (edited)"
    cv.history_button.click()
    cv.leave_prompt.save_button.click()  # Save, then history
    assert ov.page == "history" and wb.workflows.find("Offboard contractor (edited)") is not None


def test_opening_another_workflow_asks_and_discard_drops_the_edit(wb: Workbench) -> None:
    ov, cv = edited_canvas(wb)
    other = ov.open("Onboard new hire")
    assert other is cv and cv.leave_prompt.shown  # still the edited canvas
    cv.leave_prompt.discard_button.click()
    assert ov.canvas is not None and ov.canvas.name == "Onboard new hire"
    assert wb.drafts.kept(cv.draft_key) is None  # discarded: nothing kept
    assert wb.workflows.find("Offboard contractor (edited)") is None


def test_one_floating_run_dialog_at_a_time(wb: Workbench) -> None:
    """A run dialog floats over the page: a new one closes the one before (two would stack)."""
    first = wb.canvas(OFFBOARD)
    second = wb.canvas("Onboard new hire")
    rd1 = first.open_run_dialog()
    rd2 = second.open_run_dialog()
    assert first.run_dialog is None and first.run_area.children == ()
    assert second.run_dialog is rd2 and rd1 is not rd2
    rd2.close()
    assert second.run_dialog is None


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
