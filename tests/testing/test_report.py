"""wfbench.testing.report: one workflow's case results, as lines, records and HTML."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from wfbench.model import Workflow
from wfbench.testing.report import CaseResult, TestReport
from wfbench.workbench import Workbench


def _report(**changes: Any) -> TestReport:
    results = [
        CaseResult("ok", True, "succeeded", path=["lookup"], statuses={"lookup": "succeeded"}),
        CaseResult(
            "bad", False, "failed", failures=["step 'x' <failed>"], statuses={"x": "failed"}
        ),
    ]
    return TestReport("lookup", results, file="lookup.json", **changes)


def test_lines_records_and_summary() -> None:
    report = _report()
    assert not report.passed and len(report) == 2
    assert [r.case for r in report.failed] == ["bad"]
    assert report.lines() == [
        "PASS  lookup :: ok (succeeded)",
        "FAIL  lookup :: bad (failed)",
        "      - step 'x' <failed>",
        "lookup: 1 passed, 1 failed",
    ]
    assert report.records()[1] == {
        "file": "lookup.json",
        "case": "bad",
        "passed": False,
        "status": "failed",
        "failures": ["step 'x' <failed>"],
    }
    assert repr(report) == "<TestReport lookup: 1 passed, 1 failed>"
    assert list(report.frame()["case"]) == ["ok", "bad"]


def test_the_html_escapes_what_a_case_says() -> None:
    html = _report()._repr_html_()
    assert "step &#x27;x&#x27; &lt;failed&gt;" in html and "<failed>" not in html


def test_the_graph_draws_the_selected_or_first_failed_case() -> None:
    drawn: list[Any] = []
    workflow = Workflow.model_validate(
        {"format": "wfbench/v1", "name": "lookup", "run_as": "read_only", "trigger": {}}
    )
    report = _report(definition=workflow, renderer=lambda wf, s: drawn.append(dict(s)))
    report.graph()
    report.select("ok").graph()
    assert drawn == [{"x": "failed"}, {"lookup": "succeeded"}]
    with pytest.raises(KeyError):
        report.select("nope")
    with pytest.raises(ValueError, match="no case or workflow to draw"):
        _report().graph()


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
