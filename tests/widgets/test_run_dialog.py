"""wfbench.widgets.run_dialog: the input as a form or JSON, checked as typed, run live."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest
from pydantic import BaseModel

from wfbench.widgets import run_dialog
from wfbench.widgets.run_dialog import CHECK_AFTER_S
from wfbench.workbench import Workbench

from .support import OFFBOARD, START, text, unescaped, wait_for


def test_run_dialog_form_and_json_stay_in_sync(wb: Workbench) -> None:
    cv = wb.canvas("Onboard new hire")
    rd = cv.open_run_dialog()
    assert isinstance(rd.form.fields["department"].typed.options, tuple)
    rd.form.fields["department"].typed.value = "sales"
    assert json.loads(rd.json_text.value)["department"] == "sales"
    rd.json_text.value = json.dumps(
        {"first_name": "Ada", "last_name": "L", "email": "ada.l@example.com", "department": "hr"}
    )
    assert rd.form.fields["first_name"].typed.value == "Ada"
    assert rd.form.fields["department"].typed.value == "hr"
    assert "matches" in unescaped(rd.problems)
    rd.form.fields["first_name"].typed.value = ""  # required: validated as the engine does
    assert "'first_name' is a required property" in unescaped(rd.problems)
    rd.json_text.value = "{oops"
    assert "not valid JSON: at line 1, column 2, a field name in double quotes" in unescaped(
        rd.problems
    )
    assert rd.run_button.disabled and rd.dry_run_button.disabled
    rd.run_button.click()
    assert rd.handle is None and rd.rejected is None  # not started


class _Nothing(BaseModel):
    pass


def test_run_is_in_the_background_and_colours_live(wb: Workbench) -> None:
    gate = threading.Event()  # the first step runs until the test lets it go

    def pause(params: _Nothing, ctx: Any) -> _Nothing:
        if not gate.wait(60):
            raise TimeoutError("the test never let the step go")
        return _Nothing()

    wb.action("test.pause", input=_Nothing, output=_Nothing, side_effects=False)(pause)
    doc = {
        "name": "Slow",
        "run_as": "read_only",
        "trigger": {"input_schema": {"type": "object", "properties": {}}, "sample_input": {}},
        "steps": [
            {"id": "pause", "kind": "action", "action": "test.pause", "with": {}},
            {"id": "done", "kind": "action", "action": "core.log", "with": {"message": "ok"}},
        ],
    }
    wb.save(doc)
    cv = wb.canvas("Slow")
    rd = cv.open_run_dialog()
    try:
        rd.run_button.click()
        assert rd.handle is not None and not rd.handle.done  # the click returned at once
        wait_for(lambda: "status-running" in cv.graph.classes("pause"))
        assert rd.run_button.disabled
    finally:
        gate.set()
    record = rd.wait()
    assert record is not None and record.status == "succeeded"
    assert "status-succeeded" in cv.graph.classes("pause")
    assert "status-succeeded" in cv.graph.classes("done")
    assert "succeeded" in unescaped(rd.status) and not rd.run_button.disabled
    assert cv.graph.rebuilds == 1  # colours came by class, nothing was rebuilt


def test_dry_run_simulates_and_a_disabled_workflow_is_refused(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    rd = cv.open_run_dialog()
    rd.run(dry_run=True)
    record = rd.wait()
    assert record is not None and record.dry_run and record.status == "succeeded"
    assert "status-simulated" in cv.graph.classes("suspend")
    assert (
        wb.sql("select status from users where email = 'ada.lovelace@example.com'")["status"].iloc[
            0
        ]
        == "active"
    )
    wb.workflows.disable("Offboard contractor")
    rd.run()  # refused by the dialog itself: nothing recorded
    assert rd.rejected is None and "disabled" in unescaped(rd.problems)
    assert list(wb.runs("Offboard contractor")["status"]) == ["succeeded"]


def test_the_run_dialog_checks_as_typed_and_never_records_a_rejected_run(
    wb: Workbench,
) -> None:
    rd = wb.canvas(OFFBOARD).open_run_dialog()
    assert not rd.run_button.disabled
    rd.json_text.value = '{"email": }'  # malformed
    assert rd.run_button.disabled and "not valid JSON" in unescaped(rd.problems)
    rd.json_text.value = '{"email": 42}'  # parses, but the schema refuses it
    assert rd.run_button.disabled and rd.dry_run_button.disabled
    assert "email" in unescaped(rd.problems) and "is not of type" in unescaped(rd.problems)
    rd.run_button.click()
    rd.dry_run_button.click()
    assert rd.handle is None and rd.rejected is None
    assert wb.runs(OFFBOARD).empty  # nothing recorded, not even a rejected run
    rd.json_text.value = '{"email": "ada.lovelace@example.com"}'
    assert not rd.run_button.disabled and "matches" in unescaped(rd.problems)


def test_the_check_is_debounced_on_the_kernels_loop(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_dialog, "_in_kernel", lambda: True)  # as in a kernel
    rd = wb.canvas(OFFBOARD).open_run_dialog()
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
    assert rd.run_button.disabled and "is not of type" in unescaped(rd.problems)


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
