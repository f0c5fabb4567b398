"""wfbench.widgets.canvas_keep: an unsaved draft and its test cases outlive the kernel.

The canvas keeps its draft in the store as it is edited, offers it when the workflow is
opened again, and saves the Test tab's cases with the workflow's version.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from wfbench.cli import main
from wfbench.widgets.overview_view import Overview
from wfbench.workbench import Workbench

from .support import OFFBOARD, edited_canvas, unescaped

NAME = OFFBOARD


def test_an_unsaved_draft_outlives_the_kernel_and_is_offered_on_reopen(db: Path) -> None:
    wb = Workbench(db)
    _, cv = edited_canvas(wb)
    cv.open_test().cases_text.value = json.dumps([{"name": "kept", "input": {}}])
    wb.close()  # the kernel is gone; nothing was saved

    again = Workbench(db)
    assert again.workflows.info(NAME).version == 1
    fresh = again.canvas(NAME)
    assert fresh.restore_bar.layout.display is None
    assert NAME in unescaped(fresh.restore_label) and "UTC" in unescaped(fresh.restore_label)
    assert not fresh.dirty  # nothing changes until the person says so
    fresh.restore_draft()
    assert fresh.name == "Offboard contractor (edited)" and fresh.dirty
    assert fresh.cases == [{"name": "kept", "input": {}}]
    assert fresh.save()
    assert again.drafts.kept(fresh.draft_key) is None  # saved: nothing left to offer
    assert again.canvas("Offboard contractor (edited)").restore_bar.layout.display == "none"


def test_dropping_a_kept_draft_forgets_it(wb: Workbench) -> None:
    edited_canvas(wb)
    cv = wb.canvas(NAME)
    cv.drop_button.click()
    assert cv.restore_bar.layout.display == "none"
    assert wb.drafts.kept(cv.draft_key) is None
    assert wb.canvas(NAME).restore_bar.layout.display == "none"


def test_a_new_workflows_draft_is_kept_under_its_name(wb: Workbench) -> None:
    ov = Overview(wb)
    cv = ov.new_workflow("Brand new")
    cv.add_action("core.log", after="trigger", params={"message": "hi"})
    kept = wb.drafts.kept("new:Brand new")
    assert kept is not None and kept.definition["steps"][0]["id"] == "core_log"
    assert cv.save()
    assert wb.drafts.kept("new:Brand new") is None


def test_test_cases_are_saved_with_the_version_and_exported(
    wb: Workbench, db: Path, tmp_path: Path
) -> None:
    cv = wb.canvas(NAME)
    panel = cv.open_test()
    assert not cv.dirty  # the starter case is not an edit
    cases = [
        {"name": "ada", "input": {"email": "ada.lovelace@example.com"}, "expect": {}},
    ]
    panel.cases_text.value = json.dumps(cases)
    assert cv.dirty and cv.unsaved_bar.layout.display is None
    panel.cases_text.value = "[{oops"
    assert not cv.save() and "cases are not JSON" in unescaped(cv.message)
    panel.cases_text.value = json.dumps(cases)
    assert cv.save()
    assert cv.version == 2 and wb.drafts.cases(NAME) == cases and wb.drafts.cases(NAME, 1) is None
    # back and reopened: the Test tab shows them
    assert json.loads(wb.canvas(NAME).open_test().cases_text.value) == cases
    # a later save of the definition keeps them with the new version
    cv.name_text.value = "Offboard contractor v3"
    assert cv.save() and wb.drafts.cases("Offboard contractor v3", 3) == cases
    # wfbench export -o NAME.json writes NAME.cases.json beside it
    out = io.StringIO()
    target = tmp_path / "offboard.json"
    assert main(["--db", str(db), "export", "Offboard contractor v3", "-o", str(target)], out) == 0
    assert json.loads((tmp_path / "offboard.cases.json").read_text()) == cases
    assert "offboard.cases.json" in out.getvalue()
