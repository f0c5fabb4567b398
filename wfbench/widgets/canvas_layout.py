"""How the canvas is arranged: the header, the prompts, the floating unsaved bar, and the
graph beside the selected node's panel (widths that fit their box at 1,280 px)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as w

from wfbench.widgets.base import legend_html
from wfbench.widgets.canvas_state import STYLE

if TYPE_CHECKING:
    from wfbench.widgets.canvas_core import CanvasCore


def lay_out(core: CanvasCore) -> w.VBox:
    """Arrange the widgets: header, prompts, the floating bar, graph beside the panel."""
    header = w.HBox(
        [
            core.back_button,
            core.name_text,
            core.name_message,
            core.type_label,
            core.run_button,
            core.enable_toggle,
            core.history_button,
            core.test_button,
        ],
        layout=w.Layout(align_items="center", flex_flow="row wrap"),
    )
    toolbar = w.HBox(
        [
            core.add_button,
            core.delete_button,
            core.up_button,
            core.down_button,
            core.fit_button,
            core.zoom_in_button,
            core.zoom_out_button,
        ],
        layout=w.Layout(flex_flow="row wrap"),
    )
    side = w.VBox(
        [toolbar, core.selection_label, core.panel, core.lists.widget],
        layout=w.Layout(flex="2 1 0", min_width="0", padding="0 0 0 8px"),
    )
    side.add_class("wfb-fit")
    core.graph.widget.layout.flex = "0 0 auto"  # its own height: the box follows the graph
    graph_side = w.VBox(
        [core.graph.widget, w.HTML(legend_html())], layout=w.Layout(flex="3 1 0", min_width="0")
    )
    body = w.HBox([graph_side, side], layout=w.Layout(width="100%"))
    return w.VBox(
        [
            w.HTML(STYLE),
            header,
            core.leave_prompt.widget,
            core.restore_bar,
            core.run_as.widget,
            core.unsaved_bar,
            core.message,
            body,
            core.issues_html,
            core.run_area,
        ]
    )
