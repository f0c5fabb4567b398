"""wfbench.widgets.cytoscape: the graph widget, updated in place and sized to its graph."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from wfbench.model import to_document
from wfbench.validation import load_workflow
from wfbench.widgets import edit
from wfbench.widgets.cytoscape import GraphView
from wfbench.widgets.graph import TRIGGER, elements

from .support import SAMPLES


def test_graph_view_updates_in_place_and_rebuilds_on_structure(
    offboard: dict[str, Any],
) -> None:
    clicked: list[str] = []
    view = GraphView(on_select=clicked.append)
    view.set_elements(elements(offboard))
    assert view.rebuilds == 1
    assert set(view.node_ids()) >= {TRIGGER, "user", "leave"}
    assert len(view.edge_ids()) == len(elements(offboard)["edges"])
    assert view.data("leave")["parent"] == "each_group"
    # looks only: the same widgets are updated
    node_widget = view._nodes["user"]
    view.set_elements(elements(offboard, statuses={"user": "failed"}))
    assert view.rebuilds == 1 and view._nodes["user"] is node_widget
    assert "status-failed" in view.classes("user")
    # structure: one new batch
    edit.insert(offboard, edit.new_node("action", "extra", "core.log"), after="user")
    view.set_elements(elements(offboard))
    assert view.rebuilds == 2 and "extra" in view.node_ids()
    view.click("extra")
    assert clicked == ["extra"]


def test_live_status_and_selection_change_classes_only(offboard: dict[str, Any]) -> None:
    view = GraphView()
    view.set_elements(elements(offboard))
    widget = view._cy
    view.set_status("user", "running")
    assert view.classes("user") == {"action", "status-running"}
    view.set_status("user", "succeeded")
    view.choose("user")
    assert view.classes("user") == {"action", "status-succeeded", "chosen"}
    view.set_statuses({"suspend": "failed"})
    assert view.classes("user") == {"action", "chosen"}
    assert "status-failed" in view.classes("suspend")
    view.set_elements(elements(offboard))  # redraws keep live colours and the selection
    assert "status-failed" in view.classes("suspend") and "chosen" in view.classes("user")
    assert view._cy is widget and view.rebuilds == 1
    with pytest.raises(KeyError):
        view.classes("nope")


def test_graph_height_is_applied_once_shown(offboard: dict[str, Any]) -> None:
    view = GraphView(height="640px")
    view.set_elements(elements(offboard))
    assert view._cy.layout.height is None  # not before display: it would clip at 400 px
    view._cy._view_count = 1  # what the front end reports when it draws the widget
    assert view._cy.layout.height == "640px"
    view.resize()
    assert view._cy.layout.height == "641px"


def test_a_tall_graph_opens_readable_at_its_top_instead_of_fitted() -> None:
    sys.path.insert(0, str(SAMPLES.parent.parent / "bench"))
    try:
        from validate import generate
    finally:
        sys.path.pop(0)
    small, tall = GraphView(), GraphView()
    small.set_elements(elements(to_document(load_workflow(SAMPLES / "offboard_contractor.json"))))
    tall.set_elements(elements(generate(300)))
    assert small._cy.cytoscape_layout == {
        "name": "preset",
        "animate": False,
        "padding": 24,
        "fit": True,
    }
    layout = tall._cy.cytoscape_layout
    assert layout["fit"] is False and layout["zoom"] == 0.8
    assert layout["pan"]["y"] == 40.0 - 24.0 * 0.8  # the trigger card at the top
    tall._cy._view_count = 1  # shown: the height is set, and the top is restored after it
    # the box grows with the graph (drawn at 0.8) and the page's box scrolls beyond
    assert tall._cy.layout.height == f"{tall.natural * 0.8:.0f}px"
    assert tall.natural > 1800 and tall.widget.layout.overflow == "auto"


def test_the_graph_box_grows_with_the_graph_and_zoom_has_buttons(
    offboard: dict[str, Any],
) -> None:
    """Issue 21: never cut (the box follows the graph up to the page, then scrolls), the
    wheel scrolls the page (cytoscape's wheel zoom off), zoom by buttons."""
    view = GraphView()
    view.set_elements(elements(offboard))
    assert view._cy.user_zooming_enabled is False
    assert view.widget.layout.max_height == "calc(100vh - 224px)"
    assert view.widget.layout.overflow == "auto"
    natural = view.natural
    assert natural > 420
    assert view.height == (
        f"max(min({natural:.0f}px, calc(100vh - 240px)), {max(420, natural * 0.5):.0f}px)"
    )
    view._cy._view_count = 1
    assert view._cy.layout.height == view.height
    view.zoom(1.25)
    assert f"{natural * 1.25:.0f}px" in view._cy.layout.height
    view.fit()
    assert view.scale == 1.0 and f"{natural:.0f}px" in view._cy.layout.height
    small = GraphView()
    small.set_elements(elements({"name": "x", "run_as": "read_only", "steps": []}))
    assert small.height.startswith("max(min(420px")  # a tiny graph keeps the minimum box
