"""wfbench.widgets.test_panel: the canvas's Test tab runs cases against the draft."""

from __future__ import annotations

import json

import pytest

from wfbench.errors import ClickRefused
from wfbench.model import to_document
from wfbench.widgets.cytoscape import GraphView
from wfbench.widgets.graph import elements
from wfbench.widgets.test_panel import TestPanel, starter_cases
from wfbench.workbench import Workbench

from .support import OFFBOARD, START, text

LOG = {"id": "log", "kind": "action", "action": "core.log", "with": {"message": "hi"}}


def test_the_starter_case_is_the_sample_input_succeeding() -> None:
    sample = {"email": "ada@example.com"}
    assert starter_cases({"trigger": {"sample_input": sample}}) == [
        {"name": "the sample input succeeds", "input": sample, "expect": {"status": "succeeded"}}
    ]
    assert starter_cases({})[0]["input"] == {}
    assert starter_cases({"trigger": {"sample_input": [1]}})[0]["input"] == {}


def test_run_cases_shows_each_result_and_draws_the_chosen_path(wb: Workbench) -> None:
    draft = {**START, "name": "Log", "run_as": "read_only", "steps": [LOG]}
    graph = GraphView()
    graph.set_elements(elements(draft))
    edits: list[str] = []
    panel = TestPanel(wb, lambda: draft, graph=graph, on_edit=edits.append)
    assert json.loads(panel.cases_text.value) == starter_cases(draft)
    given = {"email": "ada@example.com"}
    cases = [
        {"name": "ok", "input": given},
        {"name": "wrong", "input": given, "expect": {"status": "failed"}},
    ]
    panel.cases_text.value = json.dumps(cases)
    assert edits == [panel.cases_text.value]  # the canvas hears of the edit
    report = panel.run()
    assert [r.passed for r in report.results] == [True, False]
    assert text(panel.message) == "✖ Log: 1 passed, 1 failed"
    assert list(panel.case_select.options) == ["ok", "wrong"]
    assert panel.case_select.value == "wrong"  # the first failure is shown
    assert "status-succeeded" in graph.classes("log")  # its path drawn on the graph
    assert wb.runs().empty  # a sandbox: nothing reached the store


def test_cases_that_are_not_json_say_so_and_run_refuses(wb: Workbench) -> None:
    panel = TestPanel(wb, lambda: to_document(wb.get(OFFBOARD)), cases=[])
    panel.cases_text.value = "[{oops"
    with pytest.raises(ClickRefused, match=r"the cases did not run: .*not JSON"):
        panel.run()
    assert panel.report is None and panel.results_html.value == ""
