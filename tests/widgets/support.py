"""Helpers of the widget tests: what a widget says, and a small draft to build on."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wfbench.model import Workflow

if TYPE_CHECKING:
    from wfbench.widgets.canvas_view import Canvas
    from wfbench.widgets.overview_view import Overview
    from wfbench.workbench import Workbench

SAMPLES = Path(__file__).resolve().parent.parent.parent / "wfbench" / "samples"

#: The offboarding sample's name in the demo store.
OFFBOARD = "Offboard contractor"

#: A manual workflow with a required ``email`` input and no steps yet.
START: dict[str, Any] = {
    "format": "wfbench/v1",
    "name": "Offboard user",
    "type": "manual",
    "run_as": "manager",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["email"],
            "properties": {"email": {"type": "string"}},
        }
    },
    "steps": [],
}


def text(widget: Any) -> str:
    """What an HTML widget says: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(widget.value)))


def unescaped(widget: Any) -> str:
    """An HTML widget's value with its entities decoded (tags kept)."""
    return html.unescape(str(widget.value))


def started_canvas(wb: Workbench) -> Canvas:
    """A canvas on :data:`START` with one step, ``user``, looking up ``input.email``."""
    from wfbench.widgets.canvas_view import Canvas

    cv = Canvas(wb, draft=Workflow.model_validate(START))
    cv.add_action("users.get", after="trigger", node_id="user")
    cv.form.insert_reference("input.email", into="email")  # type: ignore[union-attr]
    return cv


def wait_for(condition: Any, timeout: float = 60.0) -> None:
    """Wait until ``condition()`` holds (a bound, not a sleep: fails after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def edited_canvas(wb: Workbench) -> tuple[Overview, Canvas]:
    """The overview with the offboarding canvas open, renamed and not saved."""
    from wfbench.widgets.overview_view import Overview

    ov = Overview(wb)
    cv = ov.open(OFFBOARD)
    cv.name_text.value = "Offboard contractor (edited)"
    assert cv.dirty
    return ov, cv
