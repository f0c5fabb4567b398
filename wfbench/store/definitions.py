"""Saved workflows and their versions: every save is a new version, never an edit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from difflib import get_close_matches
from typing import TYPE_CHECKING, Any, Final, cast

import duckdb

from wfbench.errors import NameTaken, NotFound
from wfbench.model import Workflow, dump_workflow
from wfbench.store.session import StoreSession, utc
from wfbench.transactions import in_transaction

if TYPE_CHECKING:
    import pandas as pd

_WF_COLUMNS: Final = "id, name, description, enabled, version, run_as, created_at, updated_at"


@dataclass(frozen=True)
class WorkflowInfo:
    """A saved workflow as the store knows it: its id, current version and state."""

    id: str
    name: str
    description: str
    enabled: bool
    version: int
    run_as: str
    created_at: datetime
    updated_at: datetime


class Definitions(StoreSession):
    """Workflows, their versions and their state (enabled, deleted)."""

    def save_definition(
        self,
        workflow: Workflow,
        *,
        workflow_id: str | None = None,
        saved_by: str = "notebook",
        canonical: str | None = None,
    ) -> WorkflowInfo:
        """Save ``workflow`` (already validated) as a new version and return its info.

        Without ``workflow_id`` a new workflow is created, enabled, at version 1;
        with it, that workflow gets a new version and may be renamed. Names are
        unique, ignoring case and surrounding spaces, among workflows not deleted.
        ``canonical`` is ``dump_workflow(workflow)`` when the caller has it already:
        the definition is then neither dumped nor parsed again on its way to the row
        (the saved version is cached as given, so a run right after reads no JSON).
        """
        text = dump_workflow(workflow) if canonical is None else canonical
        now = self._now()
        with self._write_lock, self.session() as cur:
            self.definitions_changed(uncommitted=in_transaction(cur))
            try:
                return self._save_in_transaction(workflow, workflow_id, saved_by, text, now)
            finally:
                self.definitions_changed()

    def _save_in_transaction(
        self,
        workflow: Workflow,
        workflow_id: str | None,
        saved_by: str,
        text: str,
        now: datetime,
    ) -> WorkflowInfo:
        with self._transaction() as cur:
            if workflow_id is None:
                self._refuse_taken_name(cur, workflow.name, None)
                workflow_id = self._ids("wf")
                version = 1
                cur.execute(
                    "INSERT INTO workflows (id, name, description, type, enabled, run_as, "
                    "version, created_at, updated_at) VALUES (?, ?, ?, ?, true, ?, 1, ?, ?)",
                    [
                        workflow_id,
                        workflow.name,
                        workflow.description,
                        workflow.type,
                        workflow.run_as,
                        now,
                        now,
                    ],
                )
            else:
                row = cur.execute(
                    "SELECT version FROM workflows WHERE id = ? AND NOT deleted", [workflow_id]
                ).fetchone()
                if row is None:
                    raise NotFound(
                        f"no workflow with id {workflow_id!r}; save without workflow_id "
                        "to create a new one"
                    )
                self._refuse_taken_name(cur, workflow.name, workflow_id)
                version = int(row[0]) + 1
                cur.execute(
                    "UPDATE workflows SET name = ?, description = ?, type = ?, run_as = ?, "
                    "version = ?, updated_at = ? WHERE id = ?",
                    [
                        workflow.name,
                        workflow.description,
                        workflow.type,
                        workflow.run_as,
                        version,
                        now,
                        workflow_id,
                    ],
                )
            cur.execute(
                "INSERT INTO workflow_versions VALUES (?, ?, ?, ?, ?, ?)",
                [workflow_id, version, workflow.name, text, now, saved_by],
            )
            info = self._info(cur, workflow_id)
        self._definitions[(info.id, version)] = workflow.model_copy(deep=True)  # committed
        return info

    @staticmethod
    def _refuse_taken_name(
        cur: duckdb.DuckDBPyConnection, name: str, workflow_id: str | None
    ) -> None:
        row = cur.execute(
            "SELECT name FROM workflows WHERE NOT deleted AND lower(trim(name)) = lower(trim(?)) "
            "AND id IS DISTINCT FROM ?",
            [name, workflow_id],
        ).fetchone()
        if row is not None:
            raise NameTaken(
                f"a workflow named {row[0]!r} already exists (names ignore case); open the "
                "existing one to change it, or choose another name",
                name=row[0],
            )

    @staticmethod
    def _info(cur: duckdb.DuckDBPyConnection, workflow_id: str) -> WorkflowInfo:
        row = cur.execute(
            f"SELECT {_WF_COLUMNS} FROM workflows WHERE id = ?", [workflow_id]
        ).fetchone()
        assert row is not None
        return _to_info(row)

    def find_workflow(self, ref: str) -> WorkflowInfo | None:
        """The workflow whose id is ``ref``, or whose name is ``ref`` ignoring case; or ``None``."""
        with self.session() as cur:
            stamp = self.lookup_stamp()
            hit, info = self.cached_lookup(ref, stamp)
            if hit:
                return cast("WorkflowInfo | None", info)
            # At most two rows (one by id, one by name); an ORDER BY here doubled the cost.
            rows = cur.execute(
                f"SELECT {_WF_COLUMNS} FROM workflows WHERE NOT deleted "
                "AND (id = ? OR lower(trim(name)) = lower(trim(?)))",
                [ref, ref],
            ).fetchall()
            info = _to_info(next((r for r in rows if r[0] == ref), rows[0])) if rows else None
            self.cache_lookup(ref, info, stamp)
        return info

    def find_by_name(self, name: str) -> WorkflowInfo | None:
        """The workflow whose *name* is ``name`` (ignoring case and surrounding spaces); ids
        are never matched, so a name equal to another workflow's id finds nothing."""
        with self.session() as cur:
            row = cur.execute(
                f"SELECT {_WF_COLUMNS} FROM workflows WHERE NOT deleted "
                "AND lower(trim(name)) = lower(trim(?))",
                [name],
            ).fetchone()
        return None if row is None else _to_info(row)

    def get_workflow(self, ref: str) -> WorkflowInfo:
        """Like :meth:`find_workflow`, but raises :class:`NotFound` naming the known workflows."""
        with self.session() as cur:
            info = self.find_workflow(ref)
            if info is not None:
                return info
            names = [
                r[0]
                for r in cur.execute(
                    "SELECT name FROM workflows WHERE NOT deleted ORDER BY lower(name)"
                ).fetchall()
            ]
        if not names:
            raise NotFound(f"no workflow {ref!r}: the store has none yet; save or import one first")
        close = get_close_matches(ref, names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
        raise NotFound(f"no workflow {ref!r}; {hint}known workflows: {shown}")

    def get_definition(self, ref: str, version: int | None = None) -> tuple[WorkflowInfo, Workflow]:
        """The workflow's info (current state) and its definition, latest or at ``version``."""
        with self.session() as cur:
            info = self.get_workflow(ref)
            wanted = info.version if version is None else version
            cached = self._definitions.get((info.id, wanted))  # versions never change
            if cached is not None:
                return info, cached.model_copy(deep=True)
            row = cur.execute(
                "SELECT definition FROM workflow_versions WHERE workflow_id = ? AND version = ?",
                [info.id, wanted],
            ).fetchone()
        if row is None:
            raise NotFound(
                f"workflow {info.name!r} has no version {wanted}; its versions are "
                f"1 to {info.version}"
            )
        workflow = Workflow.model_validate(json.loads(row[0]))
        self._definitions[(info.id, wanted)] = workflow
        return info, workflow.model_copy(deep=True)

    def definition_of(self, info: WorkflowInfo) -> Workflow:
        """The definition at ``info``'s version, from the cache when it was read before (no
        look-up of the workflow: the caller has its info)."""
        cached = self._definitions.get((info.id, info.version))
        if cached is None:
            return self.get_definition(info.id, info.version)[1]
        return cached.model_copy(deep=True)

    def list_workflows(self) -> pd.DataFrame:
        """The overview: one row per workflow, ordered by name.

        ``last_run_*`` and ``run_count`` are of the runs that started; refused starts
        (``rejected``) are counted apart in ``rejected_count``. The one overview query:
        the notebook's overview, ``wfbench list`` and the HTTP API read it.
        """
        with self.session() as cur:
            return cur.execute(_OVERVIEW).df()

    def workflow_rows(self) -> tuple[list[str], list[tuple[Any, ...]]]:
        """:meth:`list_workflows` as column names and plain rows (no pandas)."""
        with self.session() as cur:
            rows = cur.execute(_OVERVIEW).fetchall()
            return [d[0] for d in cur.description or ()], rows

    def set_enabled(self, ref: str, enabled: bool) -> WorkflowInfo:
        """Enable or disable a workflow (no new version: the definition is unchanged)."""
        with self.session() as cur:
            info = self.get_workflow(ref)
            self.definitions_changed(uncommitted=in_transaction(cur))
            cur.execute(
                "UPDATE workflows SET enabled = ?, updated_at = ? WHERE id = ?",
                [enabled, self._now(), info.id],
            )
            self.definitions_changed()
            return self._info(cur, info.id)

    def delete_workflow(self, ref: str) -> None:
        """Mark the workflow deleted: its name is free again; versions and runs stay."""
        with self.session() as cur:
            info = self.get_workflow(ref)
            now = self._now()
            self.definitions_changed(uncommitted=in_transaction(cur))
            cur.execute(
                "UPDATE workflows SET deleted = true, deleted_at = ?, updated_at = ? WHERE id = ?",
                [now, now, info.id],
            )
            self.definitions_changed()


def _to_info(row: tuple[Any, ...]) -> WorkflowInfo:
    wid, name, description, enabled, version, run_as, created, updated = row
    return WorkflowInfo(
        id=wid,
        name=name,
        description=description,
        enabled=bool(enabled),
        version=int(version),
        run_as=run_as,
        created_at=utc(created) or created,
        updated_at=utc(updated) or updated,
    )


#: The workflows overview: one row per workflow, ordered by name, with its last run.
_OVERVIEW = """
WITH counted AS (
    SELECT workflow_id,
           arg_max(status, (started_at, rowid)) FILTER (WHERE status <> 'rejected')
               AS last_run_status,
           max(started_at) FILTER (WHERE status <> 'rejected') AS last_run_at,
           count(*) FILTER (WHERE status <> 'rejected') AS run_count,
           count(*) FILTER (WHERE status = 'rejected') AS rejected_count
    FROM runs GROUP BY workflow_id)
SELECT w.id, w.name, w.type, w.enabled, w.run_as, w.version,
       r.last_run_status,
       timezone('UTC', r.last_run_at) AS last_run_at,
       coalesce(r.run_count, 0) AS run_count, w.updated_at,
       coalesce(r.rejected_count, 0) AS rejected_count
FROM workflows w LEFT JOIN counted r ON r.workflow_id = w.id
WHERE NOT w.deleted
ORDER BY lower(w.name), w.name
"""
