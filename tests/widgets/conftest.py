"""Fixtures of the widget tests: clicks that raise, and the offboarding sample as a draft.

Widgets are created without a browser (ipywidgets' dummy comm); every click goes through
``Button.click()``, the code twin of the mouse.
"""

from __future__ import annotations

from typing import Any

import pytest
from ipywidgets.widgets.widget import CallbackDispatcher

from wfbench.model import to_document
from wfbench.validation import load_workflow

from .support import SAMPLES


@pytest.fixture(autouse=True)
def clicks_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    """ipywidgets logs an exception in a click handler and goes on; a test must fail."""

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        value = None
        for callback in self.callbacks:
            result = callback(*args, **kwargs)
            value = result if result is not None else value
        return value

    monkeypatch.setattr(CallbackDispatcher, "__call__", call)


@pytest.fixture
def offboard() -> dict[str, Any]:
    """The offboarding sample as a plain document (a draft to edit)."""
    return to_document(load_workflow(SAMPLES / "offboard_contractor.json"))
