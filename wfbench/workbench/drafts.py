"""``wb.drafts``: what a canvas keeps in the store besides saved versions: its unsaved draft
(which outlives the kernel) and the Test tab's cases saved with a version."""

from __future__ import annotations

from typing import Any

from wfbench.store import KeptDraft, Store

__all__ = ["Drafts"]


class Drafts:
    """A canvas's unsaved drafts and a version's test cases (``wb.drafts``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def keep(self, key: str, definition: Any, cases: list[Any] | None = None) -> None:
        """Keep a canvas's unsaved draft (and its Test cases) under ``key``: a workflow's
        id, or ``new:`` and a name. It outlives the kernel; :meth:`kept` gives it back."""
        self._store.keep_draft(key, definition, cases)

    def kept(self, key: str) -> KeptDraft | None:
        """The unsaved draft kept under ``key``, or None."""
        return self._store.kept_draft(key)

    def drop(self, key: str) -> None:
        """Forget the unsaved draft kept under ``key``."""
        self._store.drop_draft(key)

    def save_cases(self, ref: str, cases: list[Any], version: int | None = None) -> None:
        """Keep test ``cases`` with a saved workflow's version (default: its latest); they
        are exported beside it as ``NAME.cases.json``."""
        info = self._store.get_workflow(ref)
        self._store.save_cases(info.id, version or info.version, list(cases))

    def cases(self, ref: str, version: int | None = None) -> list[Any] | None:
        """The test cases saved with a version (default: the latest), or None."""
        info = self._store.get_workflow(ref)
        return self._store.cases_of(info.id, version or info.version)
