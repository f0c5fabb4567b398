"""The Create Workflow dialog: type, then name and description.

Two pages, as in the consoles this is modelled on: first the workflow type
(only *Manual* exists in this version; *Scheduled* and *Event* are shown,
disabled, so people know where they would be), **Next**; then the name
(required, unique ignoring case, checked as you type) and description, with
**Previous** and **Done**. Done hands ``(name, description, type)`` to
``on_done``; the overview then opens the canvas on a new draft.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as w

from wfbench.widgets.base import View, button, message_html

if TYPE_CHECKING:
    from wfbench.workbench import Workbench

#: Types shown but not available in this version.
UNAVAILABLE_TYPES = ("Scheduled", "Event")


class CreateDialog(View):
    """Add → New Workflow.

    Code twins: ``type_select.value = "manual"``, ``next_button.click()``,
    ``name_text.value = "…"``, ``description_text.value = "…"``,
    ``previous_button.click()``, ``done_button.click()``, ``cancel_button.click()``.
    """

    def __init__(
        self,
        wb: Workbench,
        on_done: Callable[[str, str, str], None],
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        self.wb = wb
        self.on_done = on_done
        self.on_cancel = on_cancel
        self.page = "type"
        self.type_select = w.RadioButtons(
            options=[("Manual — runs when a person starts it, with a JSON input", "manual")],
            value="manual",
            layout=w.Layout(width="auto"),
        )
        self.unavailable = [
            w.ToggleButton(
                description=f"{t} (not available)", disabled=True, layout=w.Layout(width="auto")
            )
            for t in UNAVAILABLE_TYPES
        ]
        self.next_button = button("Next", style="primary", icon="arrow-right")
        self.name_text = w.Text(
            placeholder="Offboard contractor", description="Name *", layout=w.Layout(width="460px")
        )
        self.name_message = w.HTML()
        self.description_text = w.Textarea(
            placeholder="What it does, for the people who run it",
            description="Description",
            layout=w.Layout(width="460px", height="70px"),
        )
        self.previous_button = button("Previous", icon="arrow-left")
        self.done_button = button("Done", style="success", icon="check")
        self.cancel_button = button("Cancel")
        self.next_button.on_click(lambda _: self._go("details"))
        self.previous_button.on_click(lambda _: self._go("type"))
        self.done_button.on_click(lambda _: self._done())
        self.cancel_button.on_click(lambda _: self._cancel())
        self.name_text.observe(lambda _: self.check_name(), names="value")
        self.type_page = w.VBox(
            [
                w.HTML("<b>Workflow type</b>"),
                self.type_select,
                w.HBox(self.unavailable),
                w.HBox([self.cancel_button, self.next_button]),
            ]
        )
        self.details_page = w.VBox(
            [
                self.name_text,
                self.name_message,
                self.description_text,
                w.HBox([self.previous_button, self.done_button]),
            ]
        )
        self.widget = w.VBox(
            [w.HTML("<h3 style='margin:4px 0'>Create Workflow</h3>"), self.type_page],
            layout=w.Layout(
                border="1px solid #8aa1c1", padding="8px", margin="6px 0", width="560px"
            ),
        )
        self.check_name()

    def _go(self, page: str) -> None:
        self.page = page
        self.widget.children = (
            self.widget.children[0],
            self.type_page if page == "type" else self.details_page,
        )

    def check_name(self) -> bool:
        """Whether the name can be used; shows why not under the field."""
        name = self.name_text.value.strip()
        problem = ""
        if not name:
            problem = "a name is required"
        elif len(name) > 200:
            problem = "a name has at most 200 characters"
        elif not self.wb.workflows.name_free(name):
            problem = f"a workflow named '{name}' already exists (names ignore case)"
        self.name_message.value = (
            message_html(problem, "error") if problem else message_html("name is free", "ok")
        )
        self.done_button.disabled = bool(problem)
        return not problem

    def _done(self) -> None:
        if self.page != "details" or not self.check_name():
            return
        self.on_done(
            self.name_text.value.strip(),
            self.description_text.value.strip(),
            str(self.type_select.value),
        )

    def _cancel(self) -> None:
        if self.on_cancel is not None:
            self.on_cancel()

    # convenience: the whole dialog in one call, through the same clicks
    def fill(self, name: str, description: str = "", type: str = "manual") -> None:
        """Choose the type, Next, type name and description, Done."""
        self.type_select.value = type
        self.next_button.click()
        self.name_text.value = name
        self.description_text.value = description
        self.done_button.click()
