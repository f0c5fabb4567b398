"""wfbench.widgets.overview_view: the workflows table, its toggles, and the views it opens."""

from __future__ import annotations

from wfbench.widgets.overview_view import Overview
from wfbench.workbench import Workbench

from .support import OFFBOARD, unescaped


def test_no_stale_disabled_notice_after_enabling_on_the_canvas(wb: Workbench) -> None:
    ov = Overview(wb)
    ov.set_enabled(OFFBOARD, False)
    assert "disabled" in unescaped(ov.message)
    cv = ov.open(OFFBOARD)
    cv.enable_toggle.value = True
    cv.back_button.click()
    assert ov.page == "overview" and "disabled" not in unescaped(ov.message)
    assert ov.frame.set_index("name").loc[OFFBOARD, "enabled"]
