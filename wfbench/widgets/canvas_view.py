"""The canvas: build a workflow on its graph, choose Run As, save, run.

:class:`Canvas` is :class:`~wfbench.widgets.canvas_core.CanvasCore` (the draft,
layout, selection, editing, save and discard) plus what leads off the canvas:
the code twins that add steps as "+" does, the run dialog, the Test tab,
execution history, the Enable/Disable toggle, and *Back to workflows*, which
asks first when there are unsaved changes
(:class:`~wfbench.widgets.canvas_state.LeavePrompt`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from wfbench.errors import ClickRefused, WfbenchError
from wfbench.widgets.base import message_html, plain
from wfbench.widgets.canvas_core import CanvasCore
from wfbench.widgets.canvas_state import canonical
from wfbench.widgets.forms import NodeForm
from wfbench.widgets.graph import TRIGGER
from wfbench.widgets.palette import Place

if TYPE_CHECKING:
    from wfbench.widgets.history_view import HistoryView
    from wfbench.widgets.overview_view import Overview
    from wfbench.widgets.run_dialog import RunDialog
    from wfbench.widgets.test_panel import TestPanel


class Canvas(CanvasCore):
    """The canvas of one workflow (saved, or a new draft); see :class:`CanvasCore`."""

    def _build_widgets(self) -> None:
        super()._build_widgets()
        self.run_button.on_click(lambda _: self._open_run())
        self.history_button.on_click(lambda _: self._open_history())
        self.test_button.on_click(lambda _: self._open_test())
        self.back_button.on_click(lambda _: self._back())
        self.enable.on_change = self._enabled_edited

    # ------------------------------------------------------------------ editing, as code
    def delete(self, node_id: str | None = None) -> None:
        """Delete a step with everything inside it (select it, click Delete)."""
        if node_id is not None:
            self.select(node_id)
        self.delete_button.click()

    def move(self, node_id: str, delta: int) -> None:
        """Move a step up (negative) or down within its list (select it, click ↑/↓)."""
        self.select(node_id)
        for _ in range(abs(delta)):
            (self.up_button if delta < 0 else self.down_button).click()

    def _form(self) -> NodeForm:
        if self.form is None:
            raise ClickRefused("no step is selected; select one first")
        return self.form

    # ------------------------------------------------------------------ editing
    def _place(self, after: str | None, branch: str | None) -> Place:
        target = after or self.selected or TRIGGER
        if target == "trigger" and "trigger" not in self._data:
            target = TRIGGER
        if branch is None:
            return ("after", target)
        return ("steps" if branch == "body" else branch, target)

    def _add_via_panel(
        self,
        kind: str,
        action: str | None,
        after: str | None,
        branch: str | None,
        node_id: str | None,
    ) -> str:
        place = self._place(after, branch)
        self.select(place[1])
        self.add_button.click()
        panel = self.add_panel
        assert panel is not None
        if action is not None:
            panel.choose_action(action)
        else:
            panel.kind_select.value = kind
        panel.place_select.value = place
        if node_id:
            panel.id_text.value = node_id
        chosen = str(panel.id_text.value)
        panel.confirm_button.click()
        if self.selected != chosen:
            raise ClickRefused(f"could not add the step: {plain(self.message.value)}")
        return chosen

    def add_action(
        self,
        action: str,
        *,
        after: str | None = None,
        branch: str | None = None,
        params: Mapping[str, Any] | None = None,
        node_id: str | None = None,
    ) -> str:
        """Add an action as "+" does and fill its form; returns the new node's id.

        It goes after ``after`` (default: the selection; ``"trigger"`` for the
        first step) or, with ``branch`` (``then``, ``else``, ``body``), at the end
        of that branch of the if-else or loop ``after``.
        """
        new = self._add_via_panel("action", action, after, branch, node_id)
        for key, value in (params or {}).items():
            self._form().set_field(f"with.{key}", value)
        return new

    def add_if_else(
        self,
        condition: str,
        *,
        after: str | None = None,
        branch: str | None = None,
        node_id: str | None = None,
    ) -> str:
        """Add an if-else flow as "+" does and set its condition."""
        new = self._add_via_panel("if_else", None, after, branch, node_id)
        self._form().set_field("condition", condition)
        return new

    def add_loop(
        self,
        items: str | list[Any],
        *,
        as_: str = "item",
        max_iterations: int = 100,
        after: str | None = None,
        branch: str | None = None,
        node_id: str | None = None,
    ) -> str:
        """Add a loop flow as "+" does and set its list, variable and bound."""
        new = self._add_via_panel("loop", None, after, branch, node_id)
        form = self._form()
        form.set_field("items", items)
        form.set_field("as", as_)
        form.set_field("max_iterations", max_iterations)
        return new

    # ------------------------------------------------------------------ run, history, back
    def _open_run(self) -> None:
        from wfbench.widgets.run_dialog import RunDialog

        if self.workflow_id is None:
            self.message.value = message_html("save the workflow before running it", "error")
            return
        if self.dirty:
            self.message.value = message_html(
                f"runs the saved version {self.version}; your unsaved changes are not included",
                "warning",
            )
        if self.run_dialog is not None:
            self.run_dialog.close()
        self.run_dialog = RunDialog(
            self.wb, self.workflow_id, graph=self.graph, on_close=self._close_run
        )
        self.run_area.children = (self.run_dialog.widget,)

    def _close_run(self) -> None:
        self.run_area.children = ()
        self.run_dialog = None

    def open_run_dialog(self) -> RunDialog:
        """Click Run workflow; the run dialog."""
        self.run_button.click()
        if self.run_dialog is None:
            raise ClickRefused(f"cannot run: {plain(self.message.value)}")
        return self.run_dialog

    def _open_test(self, cases: list[Any] | None = None) -> None:
        from wfbench.widgets.test_panel import TestPanel

        if cases is not None:
            self.cases = list(cases)
        self.test_panel = TestPanel(
            self.wb,
            lambda: self.draft,
            graph=self.graph,
            cases=self.cases,
            on_edit=self.cases_edited,
        )
        self.run_area.children = (self.test_panel.widget,)
        if cases is not None:
            self._changed(clear=True)

    def open_test(self, cases: list[Any] | None = None) -> TestPanel:
        """Click Test; the Test tab (``cases`` prefills it)."""
        if cases is None:
            self.test_button.click()
        else:
            self._open_test(cases)
        assert self.test_panel is not None
        return self.test_panel

    def _open_history(self) -> None:
        if self.workflow_id is None:
            self.message.value = message_html("no history yet: the workflow is not saved", "error")
            return
        self.leave(self._show_history)

    def _show_history(self) -> None:
        assert self.workflow_id is not None
        self.leave_prompt.hide()
        self.history = self._shell().open_history(self.workflow_id)

    def open_history(self) -> HistoryView:
        """Click Execution history; the history view."""
        self.history_button.click()
        if self.history is None:
            raise ClickRefused(f"no history: {plain(self.message.value)}")
        return self.history

    def _back(self) -> None:
        self.leave(self._leave)

    def leave(self, then: Callable[[], None]) -> None:
        """Every way off the canvas goes through here: with unsaved changes it asks first
        (Save / Discard / Stay), and ``then`` happens only after Save or Discard."""
        if not self.dirty:
            then()
            return

        def save_and_go() -> None:
            if self._save():
                then()

        def discard_and_go() -> None:
            self._discard()
            then()

        self.leave_prompt.ask(self.name, save_and_go, discard_and_go)

    def _leave(self) -> None:
        self.leave_prompt.hide()
        self._shell().show_overview()

    def _enabled_edited(self, enabled: bool) -> None:
        if self.workflow_id is None:
            return
        try:
            info = (
                self.wb.workflows.enable(self.workflow_id)
                if enabled
                else self.wb.workflows.disable(self.workflow_id)
            )
        except WfbenchError as exc:
            self.message.value = message_html(f"could not switch it: {exc}", "error")
            self.enable.show(self.enabled)
            return
        self.enabled = info.enabled
        self.type_label.value = self._type_html()
        self.message.value = message_html(
            "enabled: it can be run"
            if info.enabled
            else "disabled: it cannot be run until you switch it on again",
            "ok",
        )
        self._changed()
        if self.shell is not None:
            self.shell.refresh()

    def _shell(self) -> Overview:
        """The overview that hosts this canvas (created in place when shown alone)."""
        if self.shell is None:
            from wfbench.widgets.overview_view import Overview

            self.shell = Overview(self.wb)
            self.shell.adopt_canvas(self)
            self.widget.children = (self.shell.widget,)
        return self.shell

    def close(self) -> None:
        """Release the widgets (the graph's front-end models first)."""
        if self.run_dialog is not None:
            self.run_dialog.close()
        self.graph.close()
        self.widget.close()


__all__ = ["Canvas", "canonical"]
