"""What checking a workflow's cases gives back: one result per case, and the whole.

:class:`TestReport` has ``passed``, a DataFrame (:meth:`TestReport.frame`: ``case``,
``passed``, ``status``, ``path``, ``failures``), lines for a terminal, records for
``wfbench test --json``, and a rich display in a notebook (a green or red row per case
with the failing expectations in words, and the path the run took).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wfbench.model import children

if TYPE_CHECKING:
    import pandas as pd

    from wfbench.model import Workflow

#: The columns of :meth:`TestReport.frame`, in order.
COLUMNS = ("case", "passed", "status", "path", "failures")

_GREEN, _RED = "#d9ead3", "#f4cccc"
#: Step colours on the drawn path (the palette of the canvas's graph).
_STEP_COLOURS = {
    "succeeded": "#38761d",
    "failed": "#cc0000",
    "skipped": "#999999",
    "simulated": "#3d85c6",
}


@dataclass
class CaseResult:
    """How one case went."""

    case: str
    passed: bool
    status: str
    """The run's status (``rejected`` when its input or role was refused)."""
    path: list[str] = field(default_factory=list)
    """The paths of the steps that ran (not skipped), in order."""
    failures: list[str] = field(default_factory=list)
    """Each expectation that did not hold, in words."""
    error: str | None = None
    changes: list[str] = field(default_factory=list)
    """The directory changes the run made (then rolled back)."""
    statuses: dict[str, str] = field(default_factory=dict)
    """Each step id's last status: what the graph colours for this case."""
    mocked: list[str] = field(default_factory=list)
    """Steps whose call a mock replaced."""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _path_text(path: list[str]) -> str:
    return " → ".join(p.rsplit(".", 1)[-1] for p in path) or "—"


@dataclass
class TestReport:
    """The results of one workflow's cases."""

    __test__ = False  # not a pytest test class, despite its name

    workflow: str
    results: list[CaseResult]
    file: str | None = None
    cases_file: str | None = None
    definition: Workflow | None = field(default=None, repr=False)
    selected: str | None = None
    """The case whose path the notebook display draws (default: the first failed one)."""
    renderer: Callable[[Workflow, Mapping[str, str]], Any] | None = field(
        default=None, repr=False, compare=False
    )
    """Draws a workflow with step statuses (the façade passes the notebook's graph)."""

    def graph(self, case: str | None = None) -> Any:
        """The workflow's graph with ``case``'s path in status colours (default: the
        selected case, else the first failed one, else the first): a widget to display."""
        chosen = case or self.selected or next((r.case for r in self.failed), None)
        if chosen is None and self.results:
            chosen = self.results[0].case
        if chosen is None or self.definition is None or self.renderer is None:
            raise ValueError("no case or workflow to draw; run the cases through wb.check()")
        return self.renderer(self.definition, self[chosen].statuses)

    def select(self, case: str) -> TestReport:
        """Draw ``case``'s path in the notebook display; returns the report to show it."""
        self[case]  # KeyError for an unknown case
        self.selected = case
        return self

    @property
    def passed(self) -> bool:
        """Whether every case passed."""
        return all(r.passed for r in self.results)

    @property
    def failed(self) -> list[CaseResult]:
        return [r for r in self.results if not r.passed]

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, name: str) -> CaseResult:
        for result in self.results:
            if result.case == name:
                return result
        raise KeyError(name)

    def frame(self) -> pd.DataFrame:
        """One row per case: ``case``, ``passed``, ``status``, ``path``, ``failures``."""
        import pandas as pd

        rows = [{c: getattr(r, c) for c in COLUMNS} for r in self.results]
        return pd.DataFrame(rows, columns=list(COLUMNS))

    @property
    def df(self) -> pd.DataFrame:
        return self.frame()

    def records(self, file: str | None = None) -> list[dict[str, Any]]:
        """``{"file", "case", "passed", "status", "failures"}`` per case (``--json``)."""
        return [
            {
                "file": file or self.file,
                "case": r.case,
                "passed": r.passed,
                "status": r.status,
                "failures": list(r.failures),
            }
            for r in self.results
        ]

    def lines(self) -> list[str]:
        """One line per case, failures indented under it, then a summary line."""
        out: list[str] = []
        for r in self.results:
            out.append(
                f"{'PASS' if r.passed else 'FAIL'}  {self.workflow} :: {r.case} ({r.status})"
            )
            out += [f"      - {f}" for f in r.failures]
        out.append(self.summary())
        return out

    def summary(self) -> str:
        bad = len(self.failed)
        return f"{self.workflow}: {len(self) - bad} passed, {bad} failed"

    def __repr__(self) -> str:
        return f"<TestReport {self.summary()}>"

    def _repr_html_(self) -> str:
        rows = []
        for r in self.results:
            colour = _GREEN if r.passed else _RED
            mark = "✔ passed" if r.passed else "✖ failed"
            reasons = "".join(f"<li>{html.escape(f)}</li>" for f in r.failures)
            rows.append(
                f"<tr style='background:{colour}'>"
                f"<td style='padding:2px 8px'><b>{html.escape(r.case)}</b></td>"
                f"<td style='padding:2px 8px'>{mark}</td>"
                f"<td style='padding:2px 8px'>{html.escape(r.status)}</td>"
                f"<td style='padding:2px 8px'>{html.escape(_path_text(r.path))}</td>"
                f"<td style='padding:2px 8px'><ul style='margin:0'>{reasons}</ul></td></tr>"
            )
        head = "".join(
            f"<th style='text-align:left;padding:2px 8px'>{h}</th>"
            for h in ("case", "result", "status", "path", "why")
        )
        return (
            f"<div><b>{html.escape(self.summary())}</b>"
            f"<table style='border-collapse:collapse;font-size:90%'><tr>{head}</tr>"
            f"{''.join(rows)}</table>{self._path_html()}</div>"
        )

    def _path_html(self) -> str:
        """The workflow's steps, each coloured by the selected case's status for it."""
        chosen = self.selected or next((r.case for r in self.failed), None)
        if chosen is None or self.definition is None:
            return ""
        statuses = self[chosen].statuses
        lines: list[str] = []

        def draw(nodes: Any, depth: int) -> None:
            for node in nodes:
                status = statuses.get(node.id)
                colour = _STEP_COLOURS.get(status or "", "#dddddd")
                text = "white" if status else "#555555"
                label = f"{node.id} · {getattr(node, 'action', None) or node.kind}"
                lines.append(
                    f"<div style='margin-left:{depth * 18}px'><span style='background:{colour};"
                    f"color:{text};border-radius:8px;padding:0 8px;font-size:90%'>"
                    f"{html.escape(label)}</span> {html.escape(status or 'not run')}</div>"
                )
                for branch, body in children(node):
                    lines.append(
                        f"<div style='margin-left:{(depth + 1) * 18}px;color:#777'>{branch}</div>"
                    )
                    draw(body, depth + 2)

        draw(self.definition.steps, 0)
        return (
            f"<div style='margin-top:6px'><b>Path of '{html.escape(chosen)}'</b> "
            f"(<code>report.select(name)</code> draws another){''.join(lines)}</div>"
        )


__all__ = ["COLUMNS", "CaseResult", "TestReport"]
