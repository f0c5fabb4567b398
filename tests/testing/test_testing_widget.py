"""The canvas's Test tab: cases of the open workflow, Run, pass/fail with reasons, path."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from wfbench.workbench import Workbench

pytest.importorskip("ipywidgets")


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


def test_a_report_draws_the_chosen_case_path_on_the_graph(wb: Workbench) -> None:
    samples = resources.files("wfbench") / "samples"
    cases = json.loads(samples.joinpath("offboard_contractor.cases.json").read_text())
    report = wb.check("Offboard contractor", cases)
    contractor = next(r for r in report.results if r.statuses.get("suspend") == "succeeded")
    widget = report.graph(contractor.case)
    cy = widget.children[0]
    classes = {n.data["id"]: n.classes for n in cy.graph.nodes}
    assert "status-succeeded" in classes["suspend"]
    assert all("status-" not in classes[n] for n in classes if n not in contractor.statuses)
