"""wfbench.widgets.create: the Create Workflow dialog (type, then a free name)."""

from __future__ import annotations

from wfbench.workbench import Workbench

from .support import unescaped


def test_create_dialog_requires_a_free_name(wb: Workbench) -> None:
    ov = wb.overview()
    ov.add_button.click()
    ov.new_workflow_button.click()
    dlg = ov.dialog
    assert dlg is not None
    dlg.done_button.click()  # still on the type page: nothing happens
    assert ov.page == "overview"
    dlg.next_button.click()
    assert dlg.done_button.disabled and "required" in unescaped(dlg.name_message)
    dlg.name_text.value = "   onboard NEW hire "
    assert dlg.done_button.disabled
    dlg.name_text.value = "x" * 201
    assert "at most 200" in unescaped(dlg.name_message)
    dlg.cancel_button.click()
    assert ov.dialog_area.children == ()
    cv = ov.new_workflow("Brand new", "described")
    assert cv.draft["description"] == "described" and cv.unsaved_label.value.count("Not saved")
