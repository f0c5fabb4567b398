"""Execution history of one workflow: its runs, one run's steps, that run's path.

The runs list says what happened (status, who, when, how long, with which
input); each row is a button: clicking it opens the run, showing each of its
steps (resolved parameters, output, error, attempts, timing) and colouring its
path on the graph of the version it ran, with a legend of the colours.
Clicking a node of that graph opens the node's steps in a drawer beside it.
A run can be started again with the same input or an edited one; the new
run colours the graph live, like the run dialog. **Back to workflows** returns
to the overview.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from wfbench.errors import RunRejected, WfbenchError
from wfbench.widgets.base import (
    View,
    badge,
    button,
    duration,
    esc,
    legend_html,
    message_html,
    short_json,
    table_html,
    when,
)
from wfbench.widgets.canvas_state import STYLE
from wfbench.widgets.cytoscape import GraphView
from wfbench.widgets.graph import elements, node_statuses
from wfbench.widgets.run_dialog import LiveColours, field_name
from wfbench.workbench import RunHandle, RunRecord

if TYPE_CHECKING:
    from wfbench.widgets.overview_view import Overview
    from wfbench.workbench import Workbench


class HistoryView(View):
    """Execution history.

    Code twins: ``run_select.value = run_id`` (or :meth:`select_run`),
    ``refresh_button.click()``, ``input_text.value``, ``rerun_button.click()``
    (same input), ``rerun_edited_button.click()`` (the edited input),
    ``back_button.click()``, ``canvas_button.click()``; ``frame`` is the runs
    DataFrame shown, ``steps_frame`` the selected run's steps.
    """

    def __init__(self, wb: Workbench, ref: str, *, shell: Overview | None = None) -> None:
        self.wb = wb
        self.shell = shell
        info = wb.workflows.info(ref)
        self.workflow_id, self.name = info.id, info.name
        self.frame: pd.DataFrame = pd.DataFrame()
        self.steps_frame: pd.DataFrame = pd.DataFrame()
        self.run: dict[str, Any] | None = None
        self.handle: RunHandle | None = None
        self._version: int | None = None
        self.title = w.HTML()
        self.back_button = button("Back to workflows", icon="arrow-left")
        self.canvas_button = button("Open canvas", icon="pencil")
        self.refresh_button = button("Refresh", icon="refresh")
        self.runs_html = w.HTML()
        self.run_rows: dict[str, w.Button] = {}
        """Run id -> its row (a button: a click opens the run)."""
        self.runs_box = w.VBox(
            layout=w.Layout(width="100%", max_height="260px", overflow="hidden auto")
        )
        self.run_select = w.Select(description="run", rows=6, layout=w.Layout(display="none"))
        self.drawer = w.HTML()
        self.drawer_box = w.VBox(
            [self.drawer],
            layout=w.Layout(display="none", border="1px solid #8aa1c1", padding="6px"),
        )
        self.drawer_box.add_class("wfb-fit")
        self.detail_html = w.HTML()
        self.steps_html = w.HTML()
        self.input_text = w.Textarea(layout=w.Layout(width="100%", height="90px"))
        self.rerun_button = button("Re-run (same input)", icon="repeat")
        self.rerun_edited_button = button("Re-run with this input", style="primary", icon="play")
        self.message = w.HTML()
        self.graph = GraphView(on_select=self.open_node)
        self.back_button.on_click(lambda _: self._back())
        self.canvas_button.on_click(lambda _: self._open_canvas())
        self.refresh_button.on_click(lambda _: self.refresh())
        self.run_select.observe(self._run_selected, names="value")
        self.rerun_button.on_click(lambda _: self._rerun(edited=False))
        self.rerun_edited_button.on_click(lambda _: self._rerun(edited=True))
        detail = w.VBox(
            [
                self.detail_html,
                self.steps_html,
                w.HTML("<b>Input</b>"),
                self.input_text,
                w.HBox([self.rerun_button, self.rerun_edited_button]),
                self.message,
            ],
            layout=w.Layout(flex="3 1 0", min_width="0"),
        )
        detail.add_class("wfb-fit")
        self.graph.widget.layout.flex = "0 0 auto"  # its own height: the box follows the graph
        graph_side = w.VBox(
            [self.graph.widget, w.HTML(legend_html()), self.drawer_box],
            layout=w.Layout(flex="2 1 0", min_width="0"),
        )
        self.page = w.VBox(
            [
                w.HBox(
                    [self.back_button, self.title, self.canvas_button, self.refresh_button],
                    layout=w.Layout(align_items="center"),
                ),
                w.HTML(STYLE),
                self.runs_html,
                self.runs_box,
                self.run_select,
                w.HBox([graph_side, detail], layout=w.Layout(width="100%")),
            ]
        )
        self.page.add_class("wfb-fit")
        self.widget = w.VBox([self.page])
        self.refresh()

    # -- the runs
    @property
    def tab_title(self) -> str:
        return f"wfbench: history of {self.name}"

    def refresh(self) -> None:
        """Read the runs again (newest first) and keep the selection when it still exists."""
        self.frame = self.wb.runs(self.workflow_id)
        self.title.value = (
            f"<h3 style='margin:4px 8px'>Execution history: {esc(self.name)} "
            f"({len(self.frame)} run(s))</h3>"
        )
        options = []
        self.run_rows = {}
        for r in self.frame.to_dict("records"):
            run_id = str(r["run_id"])
            label = f"{run_id[:8]} · {r['status']} · {when(r['started_at'])}"
            options.append((label, r["run_id"]))
            self.run_rows[run_id] = self._row(r)
        self.runs_box.children = tuple(self.run_rows.values())
        self.runs_html.value = (
            "<b>Runs</b> <span style='color:#666'>(click one to open it)</span>"
            if options
            else "<i>no runs yet</i>"
        )
        current = self.run_select.value
        self.run_select.options = options
        if current in [o[1] for o in options]:
            self.run_select.value = current
        elif options:
            self.run_select.value = options[0][1]

    def _row(self, r: Mapping[Any, Any]) -> w.Button:
        run_id = str(r["run_id"])
        text = (
            f"{r['status']}{' (dry run)' if r['dry_run'] else ''} · {when(r['started_at'])} · "
            f"{r['started_by']} · {duration(r['duration_ms'])} · v{r['version']} · "
            f"on {r.get('directory') or 'embedded'} · {short_json(r['input'], 60)} · {run_id[:8]}"
        )
        row = w.Button(
            description=text,
            tooltip=f"open run {run_id}",
            button_style=_ROW_STYLES.get(str(r["status"]), ""),
            layout=w.Layout(width="100%", justify_content="flex-start"),
        )
        row.on_click(lambda _: self.select_run(run_id))
        return row

    def select_run(self, run_id: str) -> None:
        """Open a run (what clicking its row does)."""
        self.run_select.value = run_id

    def open_node(self, node_id: str) -> None:
        """Show the selected run's steps of node ``node_id`` in the drawer (a click on it)."""
        steps = [s for s in (self.run or {}).get("steps") or [] if s.get("node") == node_id]
        self.graph.choose(node_id)
        self.drawer_box.layout.display = None
        if not steps:
            self.drawer.value = f"<b>{esc(node_id)}</b>: <i>did not run in this run</i>"
            return
        self.drawer.value = f"<b>Step {esc(node_id)}</b>" + "".join(map(_step_detail, steps))

    def _run_selected(self, change: Mapping[str, Any]) -> None:
        if change["new"]:
            for rid, row in self.run_rows.items():
                row.icon = "chevron-right" if rid == change["new"] else ""
            self.drawer_box.layout.display = "none"
            self._show(str(change["new"]))

    def _show(self, run_id: str) -> None:
        run = self.wb.runs.get(run_id)
        self.run = run
        self.steps_frame = self.wb.steps(run_id)
        reasons = run.get("reasons") or []
        lines = [
            f"{badge(run['status'])} run <code>{esc(run_id)}</code> of version "
            f"{esc(run['version'])}{' (dry run)' if run['dry_run'] else ''}",
            f"by {esc(run['started_by'])} at {esc(when(run['started_at']))}, "
            f"{esc(duration(run['duration_ms']))}, as {esc(run['run_as'])}, "
            f"on directory {esc(run.get('directory') or 'embedded')}",
        ]
        if run.get("rerun_of"):
            lines.append(f"re-run of <code>{esc(str(run['rerun_of'])[:8])}</code>")
        if run.get("error"):
            lines.append(message_html(str(run["error"]), "error"))
        lines += [
            message_html(f"{field_name(r.get('pointer') or '')}: {r.get('message')}", "error")
            for r in reasons
        ]
        self.detail_html.value = "<br>".join(lines)
        self.steps_html.value = _steps_html(run.get("steps") or [])
        self.input_text.value = json.dumps(run.get("input"), indent=2, ensure_ascii=False)
        self._draw(run)

    def _draw(self, run: Mapping[str, Any]) -> None:
        version = run.get("version")
        statuses = node_statuses(run.get("steps") or [])
        if version != self._version:
            try:
                workflow = self.wb.get(self.workflow_id, version=version)
            except WfbenchError:
                return
            self.graph.set_elements(elements(workflow))
            self._version = version
        self.graph.set_statuses(statuses)

    # -- re-runs
    def _rerun(self, *, edited: bool) -> None:
        if self.run is None:
            self.message.value = message_html("select a run first", "error")
            return
        past = self.run
        if edited:
            try:
                value = json.loads(self.input_text.value or "{}")
            except ValueError as exc:
                self.message.value = message_html(f"the input is not JSON: {exc}", "error")
                return
        else:
            value = past.get("input")
        live = LiveColours(self.graph, self._rerun_finished)
        self.graph.set_statuses({})
        try:
            handle = self.wb.runs.rerun(past["run_id"], value, wait=False, hooks=[live])
            assert isinstance(handle, RunHandle)
            self.handle = handle
        except RunRejected as exc:
            self.message.value = message_html(f"re-run refused: {exc}", "error")
            self.refresh()
            self.select_run(exc.run_id)
            return
        self.message.value = message_html(f"re-run {self.handle.run_id[:8]} started", "ok")

    def _rerun_finished(self, run: RunRecord) -> None:
        kind = "ok" if run.status == "succeeded" else "error"
        self.message.value = message_html(f"re-run {run.run_id[:8]} {run.status}", kind)

    def wait(self, timeout: float | None = 60.0) -> RunRecord | None:
        """Block until the re-run started here ends, then show it."""
        if self.handle is None:
            return None
        record = self.handle.wait(timeout)
        self.refresh()
        self.select_run(self.handle.run_id)
        return record

    # -- navigation
    def _back(self) -> None:
        self._shell().show_overview()

    def _open_canvas(self) -> None:
        self._shell().open(self.workflow_id)

    def _shell(self) -> Overview:
        if self.shell is None:
            from wfbench.widgets.overview_view import Overview

            self.shell = Overview(self.wb)
            self.shell.adopt_history(self)
            self.widget.children = (self.shell.widget,)
        return self.shell

    def close(self) -> None:
        self.graph.close()
        self.widget.close()


_ROW_STYLES = {"succeeded": "success", "failed": "danger", "rejected": "warning"}


def _steps_html(steps: list[Mapping[str, Any]]) -> str:
    """The steps as a table that fits its box: the details wrap, the drawer has them in full."""
    if not steps:
        return "<i>no steps</i>"
    rows = [
        [
            esc(s.get("seq")),
            f"{esc(s.get('path'))}<br><span style='color:#666'>"
            f"{esc(s.get('action') or s.get('kind') or '')}</span>",
            badge(s.get("status")),
            esc(s.get("attempts")),
            f"<code style='overflow-wrap:anywhere'>{esc(short_json(s.get('params'), 60))}</code>",
            f"<code style='overflow-wrap:anywhere'>{esc(short_json(s.get('output'), 60))}</code>"
            + (message_html(str(s["error"]), "error") if s.get("error") else ""),
            esc(duration(s.get("duration_ms"))),
        ]
        for s in steps
    ]
    table = table_html(
        ["#", "step", "status", "tries", "parameters", "output / error", "time"], rows, raw=True
    )
    return table.replace(
        "<table style='", "<table style='table-layout:auto;width:100%;word-break:break-word;", 1
    )


def _step_detail(step: Mapping[str, Any]) -> str:
    """One step in full, for the drawer: parameters, output, error, attempts, timing."""

    def block(title: str, value: Any) -> str:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
        return (
            f"<div><b>{title}</b><pre style='white-space:pre-wrap;overflow-wrap:anywhere;"
            f"margin:2px 0'>{esc(text)}</pre></div>"
        )

    iteration = step.get("iteration")
    head = (
        f"<div style='margin-top:6px'>{badge(step.get('status'))} "
        f"{esc(step.get('action') or step.get('kind') or '')}"
        f"{f' · item {iteration}' if iteration is not None else ''} · "
        f"{esc(step.get('attempts'))} attempt(s) · {esc(duration(step.get('duration_ms')))} · "
        f"started {esc(when(step.get('started_at')))}</div>"
    )
    error = message_html(str(step["error"]), "error") if step.get("error") else ""
    return (
        head + error + block("parameters", step.get("params")) + block("output", step.get("output"))
    )
