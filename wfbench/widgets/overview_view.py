"""The Workflows overview, and the shell that moves between the views.

The overview is where a person starts (``wb.overview()``): a table of
workflows (name, type, enabled, run-as, last run status and time, run count)
with **Add → New Workflow**, a click on a name to open its canvas, an
enable/disable toggle per row and a link to each workflow's history. The table
is read again after every change made here or in a view it opened.

It is also the *shell*: it shows one page at a time (the table, a canvas, a
history) so that **Back to workflows** has somewhere to go. ``page`` says
which is shown; ``dialog``, ``canvas`` and ``history`` hold the views opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from wfbench.errors import ClickRefused, WfbenchError
from wfbench.runs import ENDED_STATUSES
from wfbench.widgets.base import (
    View,
    badge,
    button,
    esc,
    legend_html,
    message_html,
    plain,
    when,
)
from wfbench.widgets.canvas_view import Canvas
from wfbench.widgets.create import CreateDialog
from wfbench.widgets.history_view import HistoryView

if TYPE_CHECKING:
    from wfbench.workbench import Workbench

_COLUMNS = ("Name", "Type", "Enabled", "Run As", "Last run", "Last run at", "Runs", "")
_WIDTHS = "minmax(180px,2fr) 80px 80px 140px 110px 170px 60px 90px"


def _count(value: Any) -> int:
    return int(value) if value is not None and value == value else 0


def _runs_cell(runs: Any, rejected: Any) -> str:
    """The run count, refused starts apart: ``3`` or ``3 (+1 refused)``."""
    refused = _count(rejected)
    extra = f" <span style='color:#b45f06'>(+{refused} refused)</span>" if refused else ""
    return f"{_count(runs)}{extra}"


class OverviewRow:
    """One workflow in the table: ``open_button`` (its name), ``enabled_toggle``,
    ``history_button``."""

    def __init__(self, record: Mapping[Any, Any], shell: Overview) -> None:
        self.name = str(record["name"])
        self.workflow_id = str(record["id"])
        self.open_button = w.Button(
            description=self.name,
            tooltip=f"open {self.name}",
            layout=w.Layout(width="auto", justify_content="flex-start"),
        )
        self.enabled_toggle = w.Checkbox(
            value=bool(record["enabled"]),
            indent=False,
            description="",
            layout=w.Layout(width="60px"),
        )
        self.history_button = button("History", icon="history")
        self.open_button.on_click(lambda _: shell.open(self.workflow_id))
        self.enabled_toggle.observe(
            lambda change: shell._toggle(self.workflow_id, bool(change["new"])), names="value"
        )
        self.history_button.on_click(lambda _: shell.open_history(self.workflow_id))
        runs = record.get("run_count")
        self.cells = [
            self.open_button,
            w.HTML(esc(str(record["type"]).capitalize())),
            self.enabled_toggle,
            w.HTML(esc(record["run_as"])),
            w.HTML(badge(record.get("last_run_status"))),
            w.HTML(esc(when(record.get("last_run_at")))),
            w.HTML(_runs_cell(runs, record.get("rejected_count"))),
            self.history_button,
        ]


class Overview(View):
    """Workflows overview (and the shell of the other views).

    Code twins: ``add_button.click()`` opens the Add menu,
    ``new_workflow_button.click()`` opens ``dialog`` (a
    :class:`~wfbench.widgets.create.CreateDialog`) whose Done opens ``canvas``;
    ``rows[name].open_button.click()`` / :meth:`open`,
    ``rows[name].enabled_toggle.value = False`` / :meth:`set_enabled`,
    ``rows[name].history_button.click()`` / :meth:`open_history`,
    ``refresh_button.click()``. ``frame`` is the table as a DataFrame.
    """

    def __init__(self, wb: Workbench) -> None:
        self.wb = wb
        self.page = "overview"
        self.frame: pd.DataFrame = pd.DataFrame()
        self.rows: dict[str, OverviewRow] = {}
        self.dialog: CreateDialog | None = None
        self.canvas: Canvas | None = None
        self.history: HistoryView | None = None
        self.add_button = button("Add", style="primary", icon="plus")
        self.new_workflow_button = button("New Workflow", icon="sitemap")
        self.add_menu = w.HBox(
            [w.HTML("Add:&nbsp;"), self.new_workflow_button],
            layout=w.Layout(display="none", align_items="center"),
        )
        self.refresh_button = button("Refresh", icon="refresh")
        self.message = w.HTML()
        self.table = w.GridBox(
            layout=w.Layout(grid_template_columns=_WIDTHS, align_items="center", grid_gap="2px 6px")
        )
        self.dialog_area = w.VBox()
        self.add_button.on_click(lambda _: self._toggle_menu())
        self.new_workflow_button.on_click(lambda _: self._open_dialog())
        self.refresh_button.on_click(lambda _: self.refresh())
        self.overview_page = w.VBox(
            [
                w.HBox(
                    [
                        w.HTML("<h3 style='margin:4px 8px 4px 0'>Workflows</h3>"),
                        self.add_button,
                        self.refresh_button,
                    ],
                    layout=w.Layout(align_items="center"),
                ),
                self.add_menu,
                self.dialog_area,
                self.message,
                self.table,
                w.HTML(legend_html(ENDED_STATUSES)),
            ]
        )
        self.widget = w.VBox([self.overview_page])
        self.refresh()

    @property
    def tab_title(self) -> str:
        return "wfbench: workflows"

    # -- the table
    def refresh(self) -> None:
        """Read the workflows again and redraw the table."""
        self.frame = self.wb.workflows()
        self.rows = {}
        cells: list[Any] = [w.HTML(f"<b>{c}</b>") for c in _COLUMNS]
        for record in self.frame.to_dict("records"):
            row = OverviewRow(record, self)
            self.rows[row.name] = row
            cells += row.cells
        self.table.children = tuple(cells)
        empty = message_html("no workflows yet: Add → New Workflow")
        if not self.rows:
            self.message.value = empty
        elif self.message.value == empty:
            self.message.value = ""

    def _toggle(self, workflow_id: str, enabled: bool) -> None:
        try:
            info = (
                self.wb.workflows.enable(workflow_id)
                if enabled
                else self.wb.workflows.disable(workflow_id)
            )
        except WfbenchError as exc:
            self.message.value = message_html(str(exc), "error")
            return
        state = "enabled" if info.enabled else "disabled: it cannot be run until enabled"
        self.message.value = message_html(f"'{info.name}' {state}", "ok")
        self.refresh()

    def set_enabled(self, name: str, enabled: bool) -> None:
        """Tick or untick a workflow's Enabled box."""
        self._row(name).enabled_toggle.value = enabled

    def _row(self, name: str) -> OverviewRow:
        row = self.rows.get(name)
        if row is None:
            folded = {k.lower(): v for k, v in self.rows.items()}
            row = folded.get(name.lower())
        if row is None:
            raise KeyError(f"no workflow {name!r} in the overview; rows: {', '.join(self.rows)}")
        return row

    # -- Add → New Workflow
    def _toggle_menu(self) -> None:
        shown = self.add_menu.layout.display != "none"
        self.add_menu.layout.display = "none" if shown else None

    def _open_dialog(self) -> None:
        self.add_menu.layout.display = "none"
        self.dialog = CreateDialog(self.wb, self._created, self._close_dialog)
        self.dialog_area.children = (self.dialog.widget,)

    def _close_dialog(self) -> None:
        self.dialog_area.children = ()

    def _created(self, name: str, description: str, type: str) -> None:
        try:
            draft = self.wb.create(name, description)
        except WfbenchError as exc:
            if self.dialog is not None:
                self.dialog.name_message.value = message_html(str(exc), "error")
            return
        self._close_dialog()
        self._show_canvas(Canvas(self.wb, draft=draft, shell=self))

    def new_workflow(self, name: str, description: str = "") -> Canvas:
        """Add → New Workflow → Manual, Next, name and description, Done; the new canvas."""
        self.add_button.click()
        self.new_workflow_button.click()
        assert self.dialog is not None
        self.dialog.fill(name, description)
        if self.page != "canvas" or self.canvas is None:
            raise ClickRefused(
                f"the workflow was not created: {plain(self.dialog.name_message.value)}"
            )
        return self.canvas

    # -- pages
    def open(self, name: str) -> Canvas:
        """Open a workflow's canvas (a click on its name); a canvas on show with unsaved
        changes asks first (Save / Discard / Stay) and stays if the person stays."""
        current = self.canvas if self.page == "canvas" else None
        if current is not None and current.dirty:
            current.leave(lambda: self._show_canvas(Canvas(self.wb, name, shell=self)))
            return self.canvas if self.canvas is not None else current
        self._show_canvas(Canvas(self.wb, name, shell=self))
        assert self.canvas is not None
        return self.canvas

    def open_history(self, name: str) -> HistoryView:
        """Open a workflow's execution history."""
        self.history = HistoryView(self.wb, name, shell=self)
        self._show(self.history.page, "history")
        return self.history

    def show_overview(self) -> None:
        """Back to workflows: the table, read again (a notice from before is stale now: the
        workflow may have been switched on or off on its canvas meanwhile)."""
        self.message.value = ""
        self.refresh()
        self._show(self.overview_page, "overview")

    def _show_canvas(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self._show(canvas.page, "canvas")

    def _show(self, page_widget: Any, page: str) -> None:
        self.page = page
        self.widget.children = (page_widget,)

    def adopt_canvas(self, canvas: Canvas) -> None:
        """Host a canvas that was opened on its own (it asked for Back or History)."""
        self._show_canvas(canvas)

    def adopt_history(self, history: HistoryView) -> None:
        """Host a history view that was opened on its own."""
        self.history = history
        self._show(history.page, "history")
