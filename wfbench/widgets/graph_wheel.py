"""Ctrl+wheel zooms a graph; the plain wheel scrolls the page.

cytoscape's own wheel zoom is switched off (``user_zooming_enabled = False``):
otherwise a wheel turned to scroll past the graph zooms it instead. Zoom has its
buttons (:meth:`~wfbench.widgets.cytoscape.GraphView.zoom`), and, as in maps and
drawing tools, Ctrl+wheel (Cmd+wheel on a Mac): a tiny front end of our own
(``graph_wheel.js``, through ``anywidget``) listens for it over any wfbench
graph and zooms that drawing around the pointer. :func:`wheel_zoom` gives the
widget a graph's box holds; it draws nothing.
"""

from __future__ import annotations

from importlib import resources

import anywidget
import ipywidgets as w
import traitlets as t

_HERE = resources.files("wfbench.widgets")


class WheelZoom(anywidget.AnyWidget):
    """The Ctrl+wheel listener (see the module docstring)."""

    _esm = (_HERE / "graph_wheel.js").read_text(encoding="utf-8")

    step = t.Float(1.15).tag(sync=True)
    """The zoom factor of one wheel notch."""


def wheel_zoom(step: float = 1.15) -> WheelZoom:
    """The listener for one graph's box: each notch of Ctrl+wheel zooms by ``step``."""
    if not 1.0 < step <= 2.0:
        raise ValueError(f"a wheel notch zooms by a factor in (1, 2], not {step}")
    return WheelZoom(step=step, layout=w.Layout(display="none"))


__all__ = ["WheelZoom", "wheel_zoom"]
