"""What protects a canvas's state: the floating unsaved bar, the leave prompt, Enable/Disable.

* The **unsaved bar** (Save changes / Discard) floats at the bottom of the
  window while the draft differs from the saved version, so it stays in view
  however far the page is scrolled. ipywidgets' ``Layout`` has no ``position``,
  so the bar carries the class ``wfb-floating`` and one small stylesheet
  (:data:`STYLE`, shown once with the canvas) places it; no widget library
  does only this, and a front-end component would be a new dependency for
  one CSS rule.
* The **leave prompt**: *Back to workflows* with unsaved changes asks first
  (*Save*, *Discard*, *Stay*) instead of dropping the edits; it floats over the
  page too, so showing it moves nothing under the mouse.
* :func:`canonical`: a draft as comparable text, which says whether it is unsaved.
* The **Enable/Disable toggle** next to *Run workflow*, as in the overview: a
  disabled workflow cannot be run, and the canvas says so in its own words.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from pydantic import ValidationError

from wfbench.model import Workflow
from wfbench.widgets.base import button, esc

if TYPE_CHECKING:
    from wfbench.workbench import Workbench

#: The canvas's stylesheet: the floating unsaved bar, dialogs that open in view over the
#: canvas (``wfb-dialog``: at the window's lower right whatever the page's scroll, clear of
#: the header's buttons and of the unsaved bar), panels that never scroll sideways.
STYLE = """<style>
.wfb-floating { position: fixed; bottom: 16px; left: 50%; transform: translateX(-50%);
  z-index: 1000; background: #fff8dc; box-shadow: 0 2px 10px rgba(0,0,0,.25);
  border-radius: 6px; max-width: calc(100vw - 32px); }
.wfb-fit, .wfb-fit .widget-box, .wfb-fit .widget-html-content { min-width: 0; }
.wfb-fit .widget-html-content { white-space: normal; overflow-wrap: anywhere; }
.wfb-fit .jupyter-widgets:not(.widget-box) {
  max-width: calc(100% - 2 * var(--jp-widgets-margin)); }
.wfb-fit .widget-hbox > .jupyter-widgets, .wfb-fit .widget-vbox > .jupyter-widgets { min-width: 0; }
.wfb-fit .widget-dropdown > select { min-width: 0; text-overflow: ellipsis; }
.wfb-prompt { border: 2px solid #e69138; background: #fdf2e9; padding: 6px;
  position: fixed; top: 96px; left: 50%; transform: translateX(-50%); z-index: 1001;
  box-shadow: 0 2px 12px rgba(0,0,0,.3); border-radius: 6px; max-width: calc(100vw - 32px); }
.wfb-dialog { position: fixed; bottom: 72px; right: 16px; z-index: 1002; background: #fff;
  width: min(560px, calc(100vw - 48px)); max-height: calc(100vh - 160px); overflow: auto;
  box-shadow: 0 2px 14px rgba(0,0,0,.3); border-radius: 6px; }
</style>"""


class LeavePrompt:
    """``save_button``, ``discard_button``, ``stay_button``; shown by :meth:`ask`."""

    def __init__(self) -> None:
        self.label = w.HTML()
        self.save_button = button("Save", style="success", icon="save")
        self.discard_button = button("Discard", style="warning", icon="undo")
        self.stay_button = button("Stay", icon="times")
        self.widget = w.HBox(
            [self.label, self.save_button, self.discard_button, self.stay_button],
            layout=w.Layout(display="none", align_items="center", flex_flow="row wrap"),
        )
        self.widget.add_class("wfb-prompt")
        self._save: Callable[[], None] = lambda: None
        self._discard: Callable[[], None] = lambda: None
        self.save_button.on_click(lambda _: self._answer(self._save))
        self.discard_button.on_click(lambda _: self._answer(self._discard))
        self.stay_button.on_click(lambda _: self.hide())

    @property
    def shown(self) -> bool:
        return bool(self.widget.layout.display != "none")

    def ask(self, name: str, save: Callable[[], None], discard: Callable[[], None]) -> None:
        """Ask what to do with the unsaved changes of workflow ``name`` before leaving."""
        self._save, self._discard = save, discard
        self.label.value = (
            f"<b>'{esc(name)}' has unsaved changes.</b> Save them before leaving, "
            "discard them, or stay on the canvas?"
        )
        self.widget.layout.display = None

    def hide(self) -> None:
        self.widget.layout.display = "none"

    def _answer(self, then: Callable[[], None]) -> None:
        self.hide()
        then()


class EnableToggle:
    """``toggle``: pressed while the workflow is enabled; ``on_change(enabled)``."""

    def __init__(self, on_change: Callable[[bool], None]) -> None:
        self.on_change = on_change
        self._quiet = False
        self.toggle = w.ToggleButton(
            value=True,
            description="Enabled",
            icon="toggle-on",
            tooltip="a disabled workflow cannot be run; click to switch",
            layout=w.Layout(width="auto"),
        )
        self.toggle.observe(self._toggled, names="value")

    def show(self, enabled: bool | None) -> None:
        """The saved workflow's state (``None``: not saved yet, so nothing to switch)."""
        self._quiet = True
        # hidden, not removed: the header keeps its height when a first save shows the
        # toggle, so the graph below does not move under a click
        self.toggle.layout.visibility = "hidden" if enabled is None else "visible"
        self.toggle.value = bool(enabled)
        self._look()
        self._quiet = False

    def _look(self) -> None:
        on = bool(self.toggle.value)
        self.toggle.description = "Enabled" if on else "Disabled"
        self.toggle.icon = "toggle-on" if on else "toggle-off"
        self.toggle.button_style = "" if on else "warning"

    def _toggled(self, change: dict[str, object]) -> None:
        self._look()
        if not self._quiet:
            self.on_change(bool(change["new"]))


def canonical(doc: Mapping[str, Any], parsed: Workflow | None = None) -> str:
    """A document as comparable text: defaults dropped, keys sorted.

    Two drafts that mean the same workflow compare equal, however they were
    typed in (an explicit ``"on_error": "fail"`` is the default). ``parsed`` is
    the document already parsed (validation's), to save parsing it again.
    """
    dumped: Any = doc
    try:
        model = parsed if parsed is not None else Workflow.model_validate(doc)
        dumped = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    except ValidationError:
        pass
    return json.dumps(dumped, sort_keys=True, default=str)


def canonical_cases(cases: list[Any] | None) -> str:
    """Test cases as comparable text (``""`` for none)."""
    return "" if cases is None else json.dumps(cases, sort_keys=True, default=str)


def free_name(wb: Workbench) -> str:
    """The first free "Untitled workflow N"."""
    n = 1
    while not wb.workflows.name_free(name := f"Untitled workflow {n}"):
        n += 1
    return name


__all__ = ["STYLE", "EnableToggle", "LeavePrompt", "canonical", "canonical_cases", "free_name"]
