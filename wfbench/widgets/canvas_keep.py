"""What a canvas keeps for the person: the unsaved draft in the store, and the Test cases.

:class:`KeptWork` is a part of :class:`~wfbench.widgets.canvas_core.CanvasCore`: every
change keeps the unsaved draft (and the Test tab's cases) in the store, so a kernel
restart or a closed page loses nothing; a canvas opened on a workflow with a kept draft
offers it back (*Restore draft* / *Drop it*); the Test tab's edits are cases saved with
the workflow's next version.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from wfbench.errors import WfbenchError
from wfbench.widgets.base import button, esc, message_html
from wfbench.widgets.canvas_state import canonical, canonical_cases

if TYPE_CHECKING:
    from wfbench.workbench import KeptDraft, Workbench


class KeptWork:
    """The kept draft and the Test cases of a canvas (``restore_bar``: ``restore_button``,
    ``drop_button``)."""

    if TYPE_CHECKING:  # what the canvas provides
        wb: Workbench
        draft: dict[str, Any]
        draft_key: str
        kept: KeptDraft | None
        cases: list[Any] | None
        cases_problem: str
        _keeping: bool
        _quiet: bool
        _draft_text: str
        message: Any
        name_text: Any

        @property
        def dirty(self) -> bool: ...

        @property
        def name(self) -> str: ...

        def _changed(self, *, clear: bool = False) -> None: ...

        def _reselect(self) -> None: ...

    def _build_restore_bar(self) -> None:
        self.restore_label = w.HTML()
        self.restore_button = button("Restore draft", style="info", icon="undo")
        self.drop_button = button("Drop it", icon="trash")
        self.restore_bar = w.HBox(
            [self.restore_label, self.restore_button, self.drop_button],
            layout=w.Layout(display="none", align_items="center", flex_flow="row wrap"),
        )
        self.restore_button.on_click(lambda _: self._restore_kept())
        self.drop_button.on_click(lambda _: self._drop_kept())

    def _keep(self) -> None:
        """Keep the unsaved draft in the store (it outlives the kernel), or forget it."""
        if not self._keeping:
            return
        try:
            if self.dirty:
                self.wb.drafts.keep(self.draft_key, self.draft, self.cases)
                self.kept = None
            else:
                self.wb.drafts.drop(self.draft_key)
        except WfbenchError as exc:  # a busy store must not break editing
            self.message.value = message_html(f"the draft could not be kept: {exc}", "warning")

    def _offer_kept(self) -> None:
        kept = self.kept
        if kept is None:
            return
        if canonical(kept.definition) == self._draft_text and canonical_cases(
            kept.cases
        ) == canonical_cases(self.cases):
            self._drop_kept()
            return
        self.restore_label.value = (
            f"<b>An unsaved draft of '{esc(kept.definition.get('name', self.name))}' was kept"
            f"</b> ({esc(kept.kept_at.strftime('%Y-%m-%d %H:%M:%S'))} UTC). Restore it?"
        )
        self.restore_bar.layout.display = None

    def _restore_kept(self) -> None:
        kept = self.kept
        self.restore_bar.layout.display = "none"
        if kept is None:
            return
        self.draft = copy.deepcopy(kept.definition)
        if kept.cases is not None:
            self.cases = list(kept.cases)
        self._quiet = True
        self.name_text.value = self.name
        self._quiet = False
        self._changed(clear=True)
        self.message.value = message_html("the kept draft is back: save it or discard it", "ok")
        self._reselect()

    def _drop_kept(self) -> None:
        self.restore_bar.layout.display = "none"
        self.kept = None
        self.wb.drafts.drop(self.draft_key)

    def restore_draft(self) -> None:
        """Click Restore draft (the draft kept from an earlier session)."""
        self.restore_button.click()

    def cases_edited(self, text: str) -> None:
        """The Test tab's cases were edited: they are saved with the workflow."""
        try:
            cases = json.loads(text)
        except json.JSONDecodeError as exc:
            self.cases_problem = f"the Test tab's cases are not JSON: {exc.msg} (line {exc.lineno})"
        else:
            if isinstance(cases, list):
                self.cases, self.cases_problem = cases, ""
            else:
                self.cases_problem = "the Test tab's cases must be a JSON list of cases"
        self._changed(clear=True)


__all__ = ["KeptWork"]
