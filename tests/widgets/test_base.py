"""wfbench.widgets.base: views display through their root widget; the small HTML helpers."""

from __future__ import annotations

from wfbench.workbench import Workbench


def test_views_display_as_their_root_widget(wb: Workbench) -> None:
    ov = wb.overview()
    bundle = ov._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ov.widget.model_id
