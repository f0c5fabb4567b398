"""What a canvas must not lose: its unsaved draft, and the test cases saved with a version.

* A **draft** is kept under a key (a saved workflow's id, or ``new:`` and a name for a
  workflow never saved) on every edit, so a kernel restart or a closed tab loses nothing:
  the canvas offers it back when the workflow is opened again.
* **Cases** (the Test tab's) are saved beside the version they were written for; every
  save of the canvas keeps them with the new version, and ``wfbench export`` writes them
  to ``NAME.cases.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wfbench.store.session import StoreSession, utc


@dataclass(frozen=True)
class KeptDraft:
    """An unsaved draft as kept: the definition document, its cases and when it was kept."""

    key: str
    definition: dict[str, Any]
    cases: list[Any] | None
    kept_at: datetime


class Drafts(StoreSession):
    """Unsaved drafts and saved test cases."""

    def keep_draft(self, key: str, definition: Any, cases: list[Any] | None = None) -> None:
        """Keep ``definition`` (and ``cases``) as the unsaved draft under ``key``."""
        text = json.dumps(definition, default=str)
        cases_text = None if cases is None else json.dumps(cases, default=str)
        with self._write_lock, self.session(), self._transaction() as cur:
            cur.execute(
                "INSERT OR REPLACE INTO drafts VALUES (?, ?, ?, ?)",
                [key, text, cases_text, self._now()],
            )

    def kept_draft(self, key: str) -> KeptDraft | None:
        """The draft kept under ``key``, or None."""
        with self.session() as cur:
            row = cur.execute(
                "SELECT definition, cases, kept_at FROM drafts WHERE key = ?", [key]
            ).fetchone()
        if row is None:
            return None
        cases = json.loads(row[1]) if row[1] is not None else None
        kept_at = utc(row[2])
        assert kept_at is not None
        return KeptDraft(key, json.loads(row[0]), cases, kept_at)

    def drop_draft(self, key: str) -> None:
        """Forget the draft kept under ``key`` (saved or discarded)."""
        with self._write_lock, self.session(), self._transaction() as cur:
            cur.execute("DELETE FROM drafts WHERE key = ?", [key])

    def save_cases(self, workflow_id: str, version: int, cases: list[Any]) -> None:
        """Keep ``cases`` with version ``version`` of the workflow."""
        with self._write_lock, self.session(), self._transaction() as cur:
            cur.execute(
                "INSERT OR REPLACE INTO workflow_cases VALUES (?, ?, ?)",
                [workflow_id, version, json.dumps(cases, default=str)],
            )

    def cases_of(self, workflow_id: str, version: int) -> list[Any] | None:
        """The cases saved with that version, or None (none were)."""
        with self.session() as cur:
            row = cur.execute(
                "SELECT cases FROM workflow_cases WHERE workflow_id = ? AND version = ?",
                [workflow_id, version],
            ).fetchone()
        return None if row is None else list(json.loads(row[0]))
