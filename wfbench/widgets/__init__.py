"""Notebook views (ipywidgets and ipycytoscape); imported only on demand.

``import wfbench`` never imports this package, and importing this package does
not import ipywidgets either: each entry point imports its view when called,
so the pure parts (:mod:`~wfbench.widgets.graph`, :mod:`~wfbench.widgets.scope`,
:mod:`~wfbench.widgets.schema`, :mod:`~wfbench.widgets.edit`) stay cheap to use.

The views, each driven in code exactly as by the mouse:

- :class:`~wfbench.widgets.overview_view.Overview` — ``wb.overview()``
- :class:`~wfbench.widgets.create.CreateDialog` — Add → New Workflow
- :class:`~wfbench.widgets.canvas_view.Canvas` — ``wb.canvas(name)``
- :class:`~wfbench.widgets.trigger.TriggerCard` — the trigger's input schema
- :class:`~wfbench.widgets.run_dialog.RunDialog` — Run workflow
- :class:`~wfbench.widgets.history_view.HistoryView` — ``wb.history(name)``

The three view modules are called ``*_view`` because the package's functions
``overview``, ``canvas`` and ``history`` (what ``Workbench`` calls) would
otherwise be replaced by the submodules of the same name once those are imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wfbench.model import Workflow
    from wfbench.widgets.canvas_view import Canvas
    from wfbench.widgets.history_view import HistoryView
    from wfbench.widgets.overview_view import Overview
    from wfbench.workbench import Workbench

__all__ = ["canvas", "history", "overview", "path_graph"]


def overview(wb: Workbench) -> Overview:
    """The workflows overview (the shell the other views return to)."""
    from wfbench.widgets.overview_view import Overview

    return Overview(wb)


def canvas(wb: Workbench, name: str | None = None) -> Canvas:
    """The canvas of a saved workflow, or of a new draft when ``name`` is None."""
    from wfbench.widgets.canvas_view import Canvas

    return Canvas(wb, name)


def history(wb: Workbench, name: str) -> HistoryView:
    """The execution history of one workflow."""
    from wfbench.widgets.history_view import HistoryView

    return HistoryView(wb, name)


def path_graph(workflow: Workflow, statuses: Mapping[str, str]) -> Any:
    """A read-only graph of ``workflow`` with each node in the colour of its status (a
    test case's path, say): the widget to display."""
    from wfbench.widgets.cytoscape import GraphView
    from wfbench.widgets.graph import elements

    view = GraphView(height="420px")
    view.set_elements(elements(workflow))
    view.set_statuses(dict(statuses))
    return view.widget
