"""The graph widget: the only module that imports ipycytoscape, so it could be replaced.

:class:`GraphView` draws the elements of :func:`wfbench.widgets.graph.elements`
with cytoscape's ``preset`` layout (positions come from Python) and keeps them
current cheaply:

- a change of classes, labels or positions only (a status colour, a red flag,
  the selection, a renamed label) updates the existing element widgets in place;
- a change of structure (a node or edge added or removed) builds a new
  cytoscape widget in one batch and swaps it into the same box. ipycytoscape's
  front end cannot remove an element from the middle of its lists (it re-adds
  the following ones before the old ones are gone, and cytoscape refuses the
  duplicate ids), so replacing the widget is the reliable way;
- live run colours (:meth:`set_status`) only ever touch one element's classes.

Height: the graph is never cut. Its box grows with the graph (its height at zoom 1)
up to the height the page has (``100vh`` less the canvas's header), shrinking the
drawing down to :data:`MIN_FIT_ZOOM` (half size) to show it whole; past that it keeps a readable
size and the box scrolls. The mouse wheel scrolls the page (cytoscape's wheel zoom is
off); :meth:`zoom` (the canvas's + and − buttons) grows or shrinks the drawing, and
Ctrl+wheel zooms it around the pointer (the page script of
:mod:`~wfbench.widgets.typeahead`, which every view displays beside itself). A
cytoscape widget whose height is set before its first display is drawn clipped at
400 px, so the height is applied when the front end reports its first view
(``_view_count``), and :meth:`resize` re-applies it on demand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipycytoscape
import ipywidgets as w

from wfbench.widgets.graph import LOOP_PAD, status_classes
from wfbench.widgets.retire import retire

#: How the graph looks: kinds, statuses, flags and edge labels.
STYLE: list[dict[str, Any]] = [
    {
        "selector": "node",
        "style": {
            "label": "data(label)",
            "shape": "round-rectangle",
            "width": 200,
            "height": 48,
            "text-wrap": "wrap",
            "text-max-width": "190px",
            "text-valign": "center",
            "font-size": 12,
            "background-color": "#f7f9fc",
            "border-width": 1.5,
            "border-color": "#8aa1c1",
            "color": "#1d2b3a",
        },
    },
    {
        "selector": "node.trigger",
        "style": {"background-color": "#e6f0ff", "border-color": "#3c78d8", "font-weight": "bold"},
    },
    {
        "selector": "node.if_else",
        "style": {
            "shape": "round-hexagon",
            "background-color": "#fff6e5",
            "border-color": "#e69138",
        },
    },
    {
        "selector": "node.loop",
        "style": {
            "shape": "round-rectangle",
            "background-color": "#eef7ee",
            "background-opacity": 0.6,
            "border-style": "dashed",
            "border-color": "#6aa84f",
            "text-valign": "top",
            "text-halign": "center",
            "text-margin-y": -2,  # the label sits above the box, in LOOP_HEADER
            "text-max-width": "200px",  # the name, then "for each … in …", clear of the edge in
            "text-events": "yes",  # a click on the label (above the box) selects the loop
            "text-background-color": "#ffffff",
            "text-background-opacity": 1,
            "padding": LOOP_PAD,  # the layout leaves exactly this room around a body
        },
    },
    {
        "selector": "node.placeholder",
        "style": {
            "width": 110,
            "height": 30,
            "border-style": "dashed",
            "color": "#7a869a",
            "background-color": "#ffffff",
        },
    },
    {
        "selector": "node.end",
        "style": {"shape": "ellipse", "width": 70, "height": 30, "background-color": "#eeeeee"},
    },
    {
        "selector": "node.status-running",
        "style": {"background-color": "#fff2cc", "border-color": "#f1c232", "border-width": 3},
    },
    {
        "selector": "node.status-succeeded",
        "style": {"background-color": "#d9ead3", "border-color": "#38761d", "border-width": 3},
    },
    {
        "selector": "node.status-failed",
        "style": {"background-color": "#f4cccc", "border-color": "#cc0000", "border-width": 3},
    },
    {
        "selector": "node.status-skipped",
        "style": {"background-color": "#f3f3f3", "border-color": "#b7b7b7", "color": "#999999"},
    },
    {
        "selector": "node.status-simulated",
        "style": {"background-color": "#cfe2f3", "border-color": "#3d85c6", "border-width": 3},
    },
    {"selector": "node.warning", "style": {"border-color": "#e69138", "border-width": 3}},
    {
        "selector": "node.invalid",
        "style": {"background-color": "#fde0e0", "border-color": "#cc0000", "border-width": 4},
    },
    {
        "selector": "node.chosen",
        "style": {
            "overlay-color": "#3c78d8",
            "overlay-opacity": 0.15,
            "border-color": "#3c78d8",
            "border-width": 4,
        },
    },
    {
        "selector": "edge",
        "style": {
            "curve-style": "taxi",
            "taxi-direction": "downward",
            # a branch that joins the flow again runs straight down beside what is in
            # between, and turns just above the node it joins
            "taxi-turn": "-18px",
            "width": 2,
            "line-color": "#9aa9bd",
            "target-arrow-shape": "triangle",
            "target-arrow-color": "#9aa9bd",
            "label": "data(label)",
            "font-size": 10,
            "text-background-color": "#ffffff",
            "text-background-opacity": 1,
            "text-background-padding": 2,
        },
    },
    {
        # the loop's label sits centred on its top: an edge into the loop lands to the left
        "selector": "edge.to-loop",
        "style": {"target-endpoint": "-44% -50%", "taxi-turn": "12px"},
    },
    {
        "selector": "edge.then",
        "style": {
            "taxi-turn": "50%",
            "line-color": "#6aa84f",
            "target-arrow-color": "#6aa84f",
            "color": "#38761d",
        },
    },
    {
        "selector": "edge.else",
        "style": {
            "taxi-turn": "50%",
            "line-color": "#e69138",
            "target-arrow-color": "#e69138",
            "color": "#b45f06",
        },
    },
]


class GraphView:
    """A workflow graph on screen; ``widget`` is what to display.

    ``on_select(element_id)`` is called when a person clicks a node.
    """

    def __init__(
        self, *, height: str | None = None, on_select: Callable[[str], None] | None = None
    ) -> None:
        self.fixed_height = height
        """A fixed CSS height, or None: the box grows with the graph (see the module)."""
        self.height = height or f"{MIN_HEIGHT:.0f}px"
        self.scale = 1.0
        """The zoom buttons' factor over the fitted size."""
        self.natural = MIN_HEIGHT
        """The graph's height at zoom 1, in px (from the projection's positions)."""
        self.on_select = on_select
        self.widget = w.Box(layout=w.Layout(width="100%", max_height=BOX_MAX, overflow="auto"))
        self.widget.add_class("wfb-graph-box")
        self._cy: Any = None
        self._nodes: dict[str, Any] = {}
        self._edges: dict[str, Any] = {}
        self._base: dict[str, str] = {}  # element id -> classes from the projection
        self._status: dict[str, str] = {}
        self._chosen: str | None = None
        self._shape: tuple[Any, ...] = ()
        self.rebuilds = 0
        """How many times the cytoscape widget was built (structure changes)."""

    # -- the elements
    def set_elements(self, elements: Mapping[str, list[dict[str, Any]]]) -> None:
        """Show these elements: update in place when only looks changed, else rebuild."""
        nodes, edges = elements["nodes"], elements["edges"]
        shape = (
            tuple((n["data"]["id"], n["data"].get("parent")) for n in nodes),
            tuple(e["data"]["id"] for e in edges),
        )
        self._base = {n["data"]["id"]: n.get("classes", "") for n in nodes}
        self._base.update({e["data"]["id"]: e.get("classes", "") for e in edges})
        if shape != self._shape or self._cy is None:
            self._build(nodes, edges)
            self._shape = shape
            return
        for item in nodes:
            node = self._nodes[item["data"]["id"]]
            self._update(node, item["data"], self._classes(item["data"]["id"]))
            if dict(node.position) != item["position"]:
                node.position = dict(item["position"])
        for item in edges:
            edge = self._edges[item["data"]["id"]]
            self._update(edge, item["data"], self._classes(item["data"]["id"]))

    def _build(self, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
        old = self._cy
        cy = ipycytoscape.CytoscapeWidget()
        self.natural = natural_height(nodes)
        self.height = self._css_height()  # applied once shown (see resize)
        cy.set_layout(**_viewport(nodes))
        cy.set_style(STYLE)
        cy.set_tooltip_source("tooltip")
        # fitting never zooms past 1.25: a near-empty workflow's trigger card stays its size
        cy.min_zoom, cy.max_zoom, cy.wheel_sensitivity = 0.1, 2.5, 0.3
        cy.user_zooming_enabled = False  # the wheel scrolls the page; zoom has its buttons
        cy.on("node", "click", self._clicked)
        self._nodes = {
            n["data"]["id"]: ipycytoscape.Node(
                data=dict(n["data"]),
                position=dict(n["position"]),
                classes=self._classes(n["data"]["id"]),
                grabbable=False,
            )
            for n in nodes
        }
        self._edges = {
            e["data"]["id"]: ipycytoscape.Edge(
                data=dict(e["data"]), classes=self._classes(e["data"]["id"])
            )
            for e in edges
        }
        with cy.graph.hold_sync():  # one message for the whole graph
            cy.graph.nodes = list(self._nodes.values())
            cy.graph.edges = list(self._edges.values())
        cy._view_count = 0  # the front end counts views: our "it is on screen" signal
        cy.observe(self._shown, names="_view_count")
        self._cy = cy
        self.widget.children = (cy,)
        self.rebuilds += 1
        if old is not None:  # closed once the browser has removed its view (see retire)
            retire(old, _close)

    @staticmethod
    def _update(element: Any, data: Mapping[str, Any], classes: str) -> None:
        if dict(element.data) != dict(data):
            element.data = dict(data)
        if element.classes != classes:
            element.classes = classes

    # -- classes: projection + live status + selection
    def _classes(self, element_id: str) -> str:
        classes = self._base.get(element_id, "")
        if element_id in self._status:
            classes = status_classes(classes, self._status[element_id])
        if element_id == self._chosen:
            classes += " chosen"
        return classes.strip()

    def _restyle(self, element_id: str) -> None:
        element = self._nodes.get(element_id) or self._edges.get(element_id)
        if element is not None:
            classes = self._classes(element_id)
            if element.classes != classes:
                element.classes = classes

    def set_status(self, node_id: str, status: str | None) -> None:
        """Colour one node with a step status (``None`` clears it); nothing is rebuilt."""
        if status is None:
            self._status.pop(node_id, None)
        else:
            self._status[node_id] = status
        self._restyle(node_id)

    def set_statuses(self, statuses: Mapping[str, str]) -> None:
        """Colour every node by ``statuses`` and clear the colour of the others."""
        for node_id in set(self._status) - set(statuses):
            self.set_status(node_id, None)
        for node_id, status in statuses.items():
            self.set_status(node_id, status)

    def choose(self, element_id: str | None) -> None:
        """Mark the selected node (class ``chosen``)."""
        old, self._chosen = self._chosen, element_id
        for each in (old, element_id):
            if each is not None:
                self._restyle(each)

    def _css_height(self) -> str:
        """The graph's CSS height: its size at zoom 1 (times the zoom buttons' factor), cut
        to the page's height while the drawing stays readable, never below the minimum."""
        if self.fixed_height is not None:
            return self.fixed_height
        natural = self.natural * self.scale
        if natural > FIT_MAX_HEIGHT:  # drawn from its top at TALL_ZOOM: the box scrolls
            return f"{natural * TALL_ZOOM:.0f}px"
        cap = max(natural, MIN_HEIGHT)
        floor = max(MIN_HEIGHT, natural * MIN_FIT_ZOOM)
        return f"max(min({cap:.0f}px, {AVAILABLE}), {floor:.0f}px)"

    def zoom(self, factor: float) -> None:
        """Grow (``factor`` > 1) or shrink the drawing: the + and − buttons."""
        self.scale = min(4.0, max(0.25, self.scale * factor))
        self.height = self._css_height()
        if self._cy is not None:
            self._cy.layout.height = self.height  # the front end resizes and fits again

    def fit(self) -> None:
        """Zoom to fit the whole graph in view (the Fit button)."""
        if self.scale != 1.0:
            self.scale = 1.0
            self.height = self._css_height()
            if self._cy is not None:
                self._cy.layout.height = self.height
        if self._cy is not None:
            self._cy.set_layout(name="preset", fit=True, padding=24, animate=False)
            self._cy.relayout()

    # -- reading back (tests and notebooks)
    def node_ids(self) -> list[str]:
        return list(self._nodes)

    def edge_ids(self) -> list[str]:
        return list(self._edges)

    def classes(self, element_id: str) -> set[str]:
        """The classes the element has on screen now."""
        element = self._nodes.get(element_id) or self._edges.get(element_id)
        if element is None:
            raise KeyError(f"no element {element_id!r} on the graph")
        return set(str(element.classes).split())

    def data(self, element_id: str) -> dict[str, Any]:
        element = self._nodes.get(element_id) or self._edges.get(element_id)
        if element is None:
            raise KeyError(f"no element {element_id!r} on the graph")
        return dict(element.data)

    def click(self, element_id: str) -> None:
        """What a click on a node does (the code twin of the mouse)."""
        self._clicked({"data": self.data(element_id)})

    # -- front-end events
    def _clicked(self, event: Mapping[str, Any]) -> None:
        element_id = (event.get("data") or {}).get("id")
        if element_id and self.on_select is not None:
            self.on_select(str(element_id))

    def _shown(self, change: Mapping[str, Any]) -> None:
        if change.get("new") and change.get("owner") is self._cy:  # not a replaced one
            self.resize()

    def resize(self) -> None:
        """Apply the height again (after display; redraws a graph drawn clipped)."""
        if self._cy is None:
            return
        current = self._cy.layout.height
        self._cy.layout.height = self.height if current != self.height else _nudge(self.height)
        self._cy.layout.width = "100%"
        if not self._cy.cytoscape_layout.get("fit", True):
            self._cy.relayout()  # a resize fits the graph; put a tall one back at its top

    def close(self) -> None:
        """Release the widgets (and their front-end models): the drawing is taken off the
        page first and closed once the browser has let go of it (:mod:`.retire`)."""
        self.widget.children = ()
        if self._cy is not None:
            retire(self._cy, _close)
        self._cy = None
        self.widget.close()


#: A graph taller than this is not fitted into view (it would be too small to read).
FIT_MAX_HEIGHT = 1800.0
#: The smallest box, and the height the page gives the graph (less the canvas's header).
MIN_HEIGHT = 420.0
AVAILABLE = "calc(100vh - 240px)"
#: The scrolling box around the graph: the graph's room plus its margins, so a graph that
#: fits is never clipped by a few pixels.
BOX_MAX = "calc(100vh - 224px)"
#: A graph taller than the page is drawn at least this big (then the box scrolls).
MIN_FIT_ZOOM = 0.5


def natural_height(nodes: list[dict[str, Any]]) -> float:
    """How tall the graph is at zoom 1, with the layout's padding, in px."""
    ys = [float(n["position"]["y"]) for n in nodes] or [0.0]
    return max(ys) - min(ys) + 48.0 + 2 * 24.0 + 40.0


#: The zoom a tall graph is shown at, from its top; a person pans down.
TALL_ZOOM = 0.8


def _viewport(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``preset`` layout: fit a graph that fits readably, else show its top, readable."""
    layout: dict[str, Any] = {"name": "preset", "animate": False, "padding": 24}
    ys = [float(n["position"]["y"]) for n in nodes] or [0.0]
    if max(ys) - min(ys) <= FIT_MAX_HEIGHT:
        return {**layout, "fit": True}
    # graph x = 0 is its centre line; 320 px is about half the canvas's graph column
    return {
        **layout,
        "fit": False,
        "zoom": TALL_ZOOM,
        "pan": {"x": 320.0, "y": 40.0 - min(ys) * TALL_ZOOM},
    }


def _nudge(height: str) -> str:
    """A height one pixel different (or the same CSS, written differently), so that setting
    it fires a resize in the front end."""
    if height.endswith("px") and height[:-2].isdigit():
        return f"{int(height[:-2]) + 1}px"
    return height.strip() if height.endswith(" ") else height + " "


def _close(cy: Any) -> None:
    for element in [*cy.graph.nodes, *cy.graph.edges]:
        element.close()
    cy.graph.close()
    cy.close()
