"""The canvas's **Test** tab: the open workflow's cases, a Run button, which pass and why.

The cases are JSON in a text area (prefilled with the cases saved with the workflow, or
one case from the trigger's sample input), saved with the workflow by the canvas's Save.
**Run cases** checks the canvas's current draft against them in the sandbox
(:meth:`wfbench.workbench.Workbench.check`: nothing reaches the store), shows a green or
red row per case with the failed expectations in words, and choosing a case draws the
path its run took on the canvas's graph.

Code twins: ``cases_text``, ``run_button`` / :meth:`TestPanel.run`, ``case_select``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from wfbench.errors import ClickRefused, WfbenchError
from wfbench.widgets.base import View, button, message_html

if TYPE_CHECKING:
    from wfbench.testing import TestReport
    from wfbench.widgets.cytoscape import GraphView
    from wfbench.workbench import Workbench


def starter_cases(draft: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One case from the trigger's sample input: it should succeed."""
    trigger = draft.get("trigger") or {}
    sample = trigger.get("sample_input") if isinstance(trigger, Mapping) else None
    return [
        {
            "name": "the sample input succeeds",
            "input": sample if isinstance(sample, dict) else {},
            "expect": {"status": "succeeded"},
        }
    ]


class TestPanel(View):
    """Run test cases against the canvas's draft."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        wb: Workbench,
        draft: Callable[[], dict[str, Any]],
        *,
        graph: GraphView | None = None,
        cases: list[Any] | None = None,
        on_edit: Callable[[str], None] | None = None,
    ) -> None:
        self.wb = wb
        self.draft = draft
        self.graph = graph
        self.report: TestReport | None = None
        initial = cases if cases is not None else starter_cases(draft())
        self.cases_text = w.Textarea(
            value=json.dumps(initial, indent=2),
            layout=w.Layout(width="100%", height="180px"),
        )
        self.run_button = button("Run cases", style="primary", icon="check")
        self.message = w.HTML()
        self.results_html = w.HTML()
        self.case_select = w.Dropdown(options=[], description="Path of", value=None)
        if on_edit is not None:  # the canvas saves the cases with the workflow
            self.cases_text.observe(lambda change: on_edit(str(change["new"])), names="value")
        self.run_button.on_click(lambda _: self._run())
        self.case_select.observe(self._show_path, names="value")
        self.widget = w.VBox(
            [
                w.HTML("<b>Test</b>: cases run in a sandbox; nothing reaches the store."),
                self.cases_text,
                self.run_button,
                self.message,
                self.results_html,
                self.case_select,
            ]
        )

    def _run(self) -> None:
        self.report = None
        self.results_html.value = ""
        try:
            cases = json.loads(self.cases_text.value)
        except json.JSONDecodeError as exc:
            self.message.value = message_html(f"the cases are not JSON: {exc.msg}", "error")
            return
        try:
            self.report = self.wb.check(self.draft(), cases)
        except WfbenchError as exc:
            self.message.value = message_html(str(exc).splitlines()[0], "error")
            return
        kind = "ok" if self.report.passed else "error"
        self.message.value = message_html(self.report.summary(), kind)
        self.results_html.value = self.report._repr_html_()
        names = [r.case for r in self.report.results]
        self.case_select.options = names
        self.case_select.value = next((r.case for r in self.report.failed), names[0])

    def _show_path(self, change: Mapping[str, Any]) -> None:
        if self.graph is None or self.report is None or change.get("new") is None:
            return
        self.graph.set_statuses(self.report[str(change["new"])].statuses)

    def run(self) -> TestReport:
        """Click Run cases; the report (raises with the notice when nothing could run)."""
        self.run_button.click()
        if self.report is None:
            from wfbench.widgets.base import plain

            raise ClickRefused(f"the cases did not run: {plain(self.message.value)}")
        return self.report


__all__ = ["TestPanel", "starter_cases"]
