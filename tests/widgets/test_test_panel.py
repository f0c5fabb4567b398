"""wfbench.widgets.test_panel: the canvas's Test tab runs cases against the draft."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from wfbench.errors import ClickRefused
from wfbench.model import to_document
from wfbench.widgets.test_panel import TestPanel, starter_cases
from wfbench.workbench import Workbench

from .support import OFFBOARD

LOG = {"id": "log", "kind": "action", "action": "core.log", "with": {"message": "hi"}}


def test_the_starter_case_is_the_sample_input_succeeding() -> None:
    sample = {"email": "ada@example.com"}
    assert starter_cases({"trigger": {"sample_input": sample}}) == [
        {"name": "the sample input succeeds", "input": sample, "expect": {"status": "succeeded"}}
    ]
    assert starter_cases({})[0]["input"] == {}
    assert starter_cases({"trigger": {"sample_input": [1]}})[0]["input"] == {}


def test_cases_that_are_not_json_say_so_and_run_refuses(wb: Workbench) -> None:
    panel = TestPanel(wb, lambda: to_document(wb.get(OFFBOARD)), cases=[])
    panel.cases_text.value = "[{oops"
    with pytest.raises(ClickRefused, match=r"the cases did not run: .*not JSON"):
        panel.run()
    assert panel.report is None and panel.results_html.value == ""


def test_test_tab_runs_the_cases_and_draws_a_case_path(wb: Workbench) -> None:
    samples = resources.files("wfbench") / "samples"
    cases = json.loads(samples.joinpath("offboard_contractor.cases.json").read_text())
    cases[1]["expect"]["steps"]["mail"] = "succeeded"  # wrong on purpose
    cv = wb.canvas("Offboard contractor")
    panel = cv.open_test(cases)
    assert cv.run_area.children == (panel.widget,)
    report = panel.run()
    assert not report.passed
    assert "3 passed, 1 failed" in panel.message.value
    assert "step is_contractor.then.tell_manager.then.mail: skipped, expected succeeded" in (
        panel.results_html.value
    )
    assert panel.case_select.value == "no mail when notify is false"  # the failed case first
    assert "status-skipped" in cv.graph.classes("mail")
    panel.case_select.value = "a contractor is suspended and leaves every group"
    assert "status-succeeded" in cv.graph.classes("mail")
    assert len(wb.runs()) == 0


def test_test_button_opens_a_starter_case_and_reports_bad_json(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    cv.test_button.click()
    panel = cv.test_panel
    assert panel is not None
    assert json.loads(panel.cases_text.value)[0]["input"] == {"email": "ada.lovelace@example.com"}
    assert panel.run().passed
    panel.cases_text.value = "[{"
    panel.run_button.click()
    assert "not JSON" in panel.message.value and panel.report is None
