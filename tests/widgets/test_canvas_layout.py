"""wfbench.widgets.canvas_layout: the canvas's header, prompts, floating bar, graph and panel."""

from __future__ import annotations

from wfbench.model import Workflow
from wfbench.widgets.canvas_layout import lay_out
from wfbench.widgets.canvas_state import STYLE
from wfbench.widgets.canvas_view import Canvas
from wfbench.workbench import Workbench

from .support import START


def test_the_page_is_header_prompts_bar_then_graph_beside_the_panel(wb: Workbench) -> None:
    cv = Canvas(wb, draft=Workflow.model_validate(START))
    page = lay_out(cv)
    style, header, prompt, restore, run_as, unsaved, message, body, issues, run = page.children
    assert style.value == STYLE  # the floating bar's stylesheet comes with the page
    assert list(header.children) == [
        cv.back_button,
        cv.name_text,
        cv.name_message,
        cv.type_label,
        cv.run_button,
        cv.enable_toggle,
        cv.history_button,
        cv.test_button,
    ]
    assert (prompt, restore, run_as, unsaved) == (
        cv.leave_prompt.widget,
        cv.restore_bar,
        cv.run_as.widget,
        cv.unsaved_bar,
    )
    assert (message, issues, run) == (cv.message, cv.issues_html, cv.run_area)
    graph_side, side = body.children
    assert graph_side.children[0] is cv.graph.widget
    assert "colours:" in graph_side.children[1].value  # the status legend under the graph
    assert cv.graph.widget.layout.flex == "0 0 auto"  # the box follows the graph's height
    toolbar, selection, panel, lists = side.children
    assert cv.add_button in toolbar.children and cv.zoom_out_button in toolbar.children
    assert (selection, panel) == (cv.selection_label, cv.panel)
    assert lists is cv.lists.widget and lists.layout.display == "none"  # the type-ahead lists
    assert "wfb-fit" in side._dom_classes  # the panel never scrolls sideways
