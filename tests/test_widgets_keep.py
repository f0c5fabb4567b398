"""Issue 21: nothing is lost, and the run dialog checks as you type.

Every way off a canvas with unsaved edits asks first; an unsaved draft outlives the
kernel (kept in the store, offered on reopen); the Test tab's cases are saved with the
workflow's version and exported beside it; the run dialog disables Run for bad input and
never records a rejected run.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from wfbench.cli import main
from wfbench.widgets import run_dialog
from wfbench.widgets.canvas_view import Canvas
from wfbench.widgets.overview_view import Overview
from wfbench.widgets.run_dialog import CHECK_AFTER_S
from wfbench.workbench import Workbench

NAME = "Offboard contractor"


def text(widget: Any) -> str:
    return html.unescape(str(widget.value))


def edited_canvas(wb: Workbench) -> tuple[Overview, Canvas]:
    ov = Overview(wb)
    cv = ov.open(NAME)
    cv.name_text.value = "Offboard contractor (edited)"
    assert cv.dirty
    return ov, cv


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


def test_an_unsaved_draft_outlives_the_kernel_and_is_offered_on_reopen(db: Path) -> None:
    wb = Workbench(db)
    _, cv = edited_canvas(wb)
    cv.open_test().cases_text.value = json.dumps([{"name": "kept", "input": {}}])
    wb.close()  # the kernel is gone; nothing was saved

    again = Workbench(db)
    assert again.workflows.info(NAME).version == 1
    fresh = again.canvas(NAME)
    assert fresh.restore_bar.layout.display is None
    assert NAME in text(fresh.restore_label) and "UTC" in text(fresh.restore_label)
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
    assert not cv.save() and "cases are not JSON" in text(cv.message)
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


def test_the_run_dialog_checks_as_typed_and_never_records_a_rejected_run(
    wb: Workbench,
) -> None:
    rd = wb.canvas(NAME).open_run_dialog()
    assert not rd.run_button.disabled
    rd.json_text.value = '{"email": }'  # malformed
    assert rd.run_button.disabled and "not valid JSON" in text(rd.problems)
    rd.json_text.value = '{"email": 42}'  # parses, but the schema refuses it
    assert rd.run_button.disabled and rd.dry_run_button.disabled
    assert "email" in text(rd.problems) and "is not of type" in text(rd.problems)
    rd.run_button.click()
    rd.dry_run_button.click()
    assert rd.handle is None and rd.rejected is None
    assert wb.runs(NAME).empty  # nothing recorded, not even a rejected run
    rd.json_text.value = '{"email": "ada.lovelace@example.com"}'
    assert not rd.run_button.disabled and "matches" in text(rd.problems)


def test_the_check_is_debounced_on_the_kernels_loop(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_dialog, "_in_kernel", lambda: True)  # as in a kernel
    rd = wb.canvas(NAME).open_run_dialog()
    checks: list[str] = []
    original = rd.check

    def counted() -> bool:
        checks.append(rd.json_text.value)
        return original()

    rd.check = counted  # type: ignore[method-assign]

    async def typing() -> None:
        for typed in ('{"email"', '{"email": 4', '{"email": 42}'):  # a burst of keys
            rd.json_text.value = typed
            assert rd.run_button.disabled  # at once: not good until checked
        deadline = time.monotonic() + 10 * CHECK_AFTER_S + 5
        while rd._pending is not None:
            assert time.monotonic() < deadline, "the debounced check never ran"
            await asyncio.sleep(0.01)

    # a fresh loop on its own thread: never one an earlier test left set in this thread
    failed: list[BaseException] = []

    def kernel() -> None:
        try:
            asyncio.run(typing())
        except BaseException as exc:  # handed to the test's thread
            failed.append(exc)

    thread = threading.Thread(target=kernel)
    thread.start()
    thread.join(60)
    assert not thread.is_alive() and not failed, failed
    assert checks == ['{"email": 42}']  # one check, of the last text
    assert rd.run_button.disabled and "is not of type" in text(rd.problems)


def test_no_stale_disabled_notice_after_enabling_on_the_canvas(wb: Workbench) -> None:
    ov = Overview(wb)
    ov.set_enabled(NAME, False)
    assert "disabled" in text(ov.message)
    cv = ov.open(NAME)
    cv.enable_toggle.value = True
    cv.back_button.click()
    assert ov.page == "overview" and "disabled" not in text(ov.message)
    assert ov.frame.set_index("name").loc[NAME, "enabled"]


def test_one_floating_run_dialog_at_a_time(wb: Workbench) -> None:
    """A run dialog floats over the page: a new one closes the one before (two would stack)."""
    first = wb.canvas(NAME)
    second = wb.canvas("Onboard new hire")
    rd1 = first.open_run_dialog()
    rd2 = second.open_run_dialog()
    assert first.run_dialog is None and first.run_area.children == ()
    assert second.run_dialog is rd2 and rd1 is not rd2
    rd2.close()
    assert second.run_dialog is None
