"""The façade's second floor: starting runs (checked, recorded, pinned to a version),
re-runs, and reading history back."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, overload

from wfbench.engine import Hooks, RunHandle, RunRecord
from wfbench.model import Workflow
from wfbench.store import WorkflowInfo
from wfbench.validation.inputs import check_input
from wfbench.workbench.definitions import Definitions
from wfbench.workbench.shapes import InputCheck, Rows, same_input_rule
from wfbench.workbench.starter import Start

if TYPE_CHECKING:
    import pandas as pd


class Running(Definitions):
    """Runs and their history (see :class:`~wfbench.workbench.Workbench`)."""

    @overload
    def run(
        self,
        name: str | WorkflowInfo,
        input: dict[str, Any] | None = ...,
        *,
        dry_run: bool = ...,
        wait: Literal[True] = ...,
        started_by: str | None = ...,
        idempotency_key: str | None = ...,
        hooks: Sequence[Hooks] = ...,
        rerun_of: str | None = ...,
    ) -> RunRecord: ...

    @overload
    def run(
        self,
        name: str | WorkflowInfo,
        input: dict[str, Any] | None = ...,
        *,
        dry_run: bool = ...,
        wait: Literal[False],
        started_by: str | None = ...,
        idempotency_key: str | None = ...,
        hooks: Sequence[Hooks] = ...,
        rerun_of: str | None = ...,
    ) -> RunHandle: ...

    def run(
        self,
        name: str | WorkflowInfo,
        input: dict[str, Any] | None = None,
        *,
        dry_run: bool = False,
        wait: bool = True,
        started_by: str | None = None,
        idempotency_key: str | None = None,
        hooks: Sequence[Hooks] = (),
        rerun_of: str | None = None,
    ) -> RunRecord | RunHandle:
        """Start a manual run with ``input`` (``name``: a name, an id, or the
        :class:`WorkflowInfo` a caller already looked up, so it is not looked up again).

        Refused starts (disabled workflow, input that does not match the schema)
        are kept in history as ``rejected`` and raise :class:`RunRejected`.
        ``wait=False`` runs in a background thread and returns a :class:`RunHandle`.
        """
        start = Start(
            workflow=name,
            input=input,
            dry_run=dry_run,
            started_by=started_by or self.user,
            idempotency_key=idempotency_key,
            hooks=hooks,
            rerun_of=rerun_of,
        )
        return self.starter.start(start, wait=wait).run

    def rerun(
        self,
        run_id: str,
        input: dict[str, Any] | None = None,
        *,
        dry_run: bool | None = None,
        wait: bool = True,
        hooks: Sequence[Hooks] = (),
    ) -> RunRecord | RunHandle:
        """Run a past run's workflow again (its current version), with the same input or
        an edited one; ``dry_run`` defaults to the past run's."""
        past = self._store.get_run(run_id)
        ref = past["workflow_id"] or past["workflow"]
        again = past["input"] if input is None else input
        flag = past["dry_run"] if dry_run is None else dry_run
        if wait:
            return self.run(ref, again, dry_run=flag, rerun_of=run_id, hooks=hooks)
        return self.run(ref, again, dry_run=flag, rerun_of=run_id, wait=False, hooks=hooks)

    def check_input(self, workflow: str | Workflow, input: Any) -> InputCheck:
        """Check a run's input as a start would (defaults applied, then the trigger's input
        schema), without starting anything: every problem, with its JSON pointer."""
        if not isinstance(workflow, Workflow):
            workflow = self.get(workflow)
        checked = check_input(workflow, input)
        return checked if checked.ok else dataclasses.replace(checked, value=None)

    def same_input(self, run: RunRecord, input: Any) -> bool:
        """Whether starting ``run``'s workflow with ``input`` repeats ``run``'s start (the
        same input once defaults are applied): the idempotency rule of a retried start."""
        ref = run.workflow_id or run.workflow
        return same_input_rule(run.input, input, self.get(ref, run.version))

    def find_run(self, workflow_id: str, idempotency_key: str) -> dict[str, Any] | None:
        """The run of a workflow (by id) started with ``idempotency_key``, or None."""
        return self._store.find_run_by_idempotency_key(workflow_id, idempotency_key)

    def get_run(self, run_id: str) -> dict[str, Any]:
        """One run with its steps, as a dict (:func:`run_document` gives the shape
        ``wfbench show --json`` prints)."""
        return self._store.get_run(run_id)

    def runs(
        self,
        workflow: str | None = None,
        *,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        batch: str | None = None,
    ) -> pd.DataFrame:
        """Execution history, newest first (``offset`` skips the newest ones); ``since`` and
        ``until`` keep the runs started in ``[since, until)`` (ISO 8601 text or datetime;
        without a zone, UTC) and ``batch`` one batch's runs. Every filter runs in SQL;
        JSON columns decode when read."""
        return self._store.runs(
            workflow=workflow,
            status=status,
            limit=limit,
            offset=offset,
            since=since,
            until=until,
            batch=batch,
        )

    def run_rows(
        self, workflow: str | None = None, *, status: str | None = None, limit: int | None = None
    ) -> Rows:
        """:meth:`runs` as plain rows, newest first (what ``wfbench runs`` prints; loads no
        pandas; JSON columns as their text)."""
        return Rows(*self._store.run_rows(workflow=workflow, status=status, limit=limit))

    def steps(self, run_id: str) -> pd.DataFrame:
        """One run's steps, in order."""
        return self._store.steps(run_id)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any SQL over the store (history, definitions, the directory) as a DataFrame."""
        return self._store.sql(query, params)
