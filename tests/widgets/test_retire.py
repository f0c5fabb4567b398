"""A replaced graph is closed only once the browser reports it removed its view (no
``No such comm`` in JupyterLab's log console); without a browser, the wait is bounded."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pytest

from wfbench.widgets import retire as retiring
from wfbench.widgets.cytoscape import GraphView


def one(*ids: str) -> dict[str, Any]:
    return {
        "nodes": [
            {"data": {"id": i, "label": i}, "position": {"x": 0, "y": 90 * n}}
            for n, i in enumerate(ids)
        ],
        "edges": [],
    }


def closed(widget: Any) -> bool:
    return widget.comm is None


def test_a_replaced_graph_is_closed_when_the_browser_lets_go() -> None:
    view = GraphView()
    view.set_elements(one("a"))
    first = view.widget.children[-1]
    first._view_count = 1  # the browser shows it
    view.set_elements(one("a", "b"))  # a structural change: a new drawing
    second = view.widget.children[-1]
    assert second is not first and not closed(first)  # the browser may still report on it
    first._view_count = 0  # the browser's report: its view is gone
    assert closed(first) and all(closed(n) for n in first.graph.nodes)
    # replaced before the browser drew it: the removal is reported as -1
    view.set_elements(one("a", "b", "c"))
    assert not closed(second)
    second._view_count = -1
    assert closed(second)
    # released: off the page first, closed on the report
    third = view.widget.children[-1]
    third._view_count = 1
    view.close()
    assert not closed(third) and closed(view.widget)
    third._view_count = 0
    assert closed(third)


def test_without_a_browser_the_oldest_is_closed_past_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retiring, "_pending", [])
    monkeypatch.setattr(retiring, "MOST_PENDING", 4)
    widgets = [w.IntText() for _ in range(7)]
    for widget in widgets:
        widget._view_count = 1
        retiring.retire(widget, lambda x: x.close())
    assert retiring.pending() == 4
    assert [closed(x) for x in widgets] == [True] * 3 + [False] * 4  # the oldest three
    for widget in widgets[3:]:
        widget._view_count = 0  # reported at last: each closes
    assert retiring.pending() == 0 and all(closed(x) for x in widgets)
