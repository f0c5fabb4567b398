"""The Ctrl+wheel listener a graph's box holds (its behaviour is clicked in
tests/e2e/test_room.py: the plain wheel scrolls the page, Ctrl+wheel zooms)."""

from __future__ import annotations

import pytest

from wfbench.widgets.cytoscape import GraphView
from wfbench.widgets.graph_wheel import WheelZoom, wheel_zoom


def test_the_listener_draws_nothing_and_zooms_by_its_step() -> None:
    helper = wheel_zoom(1.2)
    assert helper.step == 1.2 and helper.layout.display == "none"
    with pytest.raises(ValueError, match="factor in"):
        wheel_zoom(1.0)


def test_every_graph_box_holds_it_beside_the_drawing() -> None:
    view = GraphView()
    view.set_elements(
        {"nodes": [{"data": {"id": "a", "label": "a"}, "position": {"x": 0, "y": 0}}], "edges": []}
    )
    cy, helper = view.widget.children
    assert not cy.user_zooming_enabled  # the plain wheel is the page's
    assert isinstance(helper, WheelZoom)
    view.set_elements(
        {
            "nodes": [
                {"data": {"id": "a", "label": "a"}, "position": {"x": 0, "y": 0}},
                {"data": {"id": "b", "label": "b"}, "position": {"x": 0, "y": 90}},
            ],
            "edges": [],
        }
    )
    assert view.widget.children[1] is helper  # a rebuilt drawing keeps the same listener
