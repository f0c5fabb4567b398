"""``wb.runs``: execution history. Called, it is the runs table (``wb.runs()``); its verbs
read one run, its steps, any SQL, re-run a run, check an input, export history."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from wfbench.engine import Hooks, RunHandle, RunRecord
from wfbench.model import Workflow
from wfbench.store import Store
from wfbench.validation.inputs import InputCheck, check_input
from wfbench.workbench.shapes import Rows
from wfbench.workbench.starter import Start, Starter

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Runs"]


class Runs:
    """The runs kept in one store (``wb.runs``)."""

    def __init__(
        self,
        store: Store,
        starter: Starter,
        definition: Callable[[str, int | None], Workflow],
        user: Callable[[], str],
    ) -> None:
        self._store = store
        self._starter = starter
        self._definition = definition
        self._user = user

    @overload
    def __call__(
        self,
        workflow: str | None = ...,
        *,
        status: str | None = ...,
        limit: int | None = ...,
        offset: int = ...,
        since: datetime | str | None = ...,
        until: datetime | str | None = ...,
        batch: str | None = ...,
        format: Literal["frame"] = ...,
    ) -> pd.DataFrame: ...
    @overload
    def __call__(
        self,
        workflow: str | None = ...,
        *,
        status: str | None = ...,
        limit: int | None = ...,
        offset: int = ...,
        since: datetime | str | None = ...,
        until: datetime | str | None = ...,
        batch: str | None = ...,
        format: Literal["rows"],
    ) -> Rows: ...
    def __call__(
        self,
        workflow: str | None = None,
        *,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        batch: str | None = None,
        format: Literal["frame", "rows"] = "frame",
    ) -> pd.DataFrame | Rows:
        """Execution history, newest first (``offset`` skips the newest ones); ``since`` and
        ``until`` keep the runs started in ``[since, until)`` (ISO 8601 text or datetime;
        without a zone, UTC) and ``batch`` one batch's runs. Every filter runs in SQL;
        JSON columns decode when read. ``format="rows"``: plain rows (what ``wfbench runs``
        prints; loads no pandas; JSON columns as their text; ``workflow``, ``status`` and
        ``limit`` only)."""
        if format == "rows":
            return Rows(*self._store.run_rows(workflow=workflow, status=status, limit=limit))
        return self._store.runs(
            workflow=workflow,
            status=status,
            limit=limit,
            offset=offset,
            since=since,
            until=until,
            batch=batch,
        )

    def get(self, run_id: str) -> dict[str, Any]:
        """One run with its steps, as a dict (:func:`~wfbench.workbench.run_document` gives
        the shape ``wfbench show --json`` prints)."""
        return self._store.get_run(run_id)

    def steps(self, run_id: str) -> pd.DataFrame:
        """One run's steps, in order."""
        return self._store.steps(run_id)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any SQL over the store (history, definitions, the directory) as a DataFrame."""
        return self._store.sql(query, params)

    def rerun(
        self,
        run_id: str,
        input: dict[str, Any] | None = None,
        *,
        dry_run: bool | None = None,
        wait: bool = True,
        hooks: Sequence[Hooks] = (),
        directory: str | None = None,
    ) -> RunRecord | RunHandle:
        """Run a past run's workflow again (its current version), with the same input or
        an edited one; ``dry_run`` and ``directory`` (the target it acted on) default to the
        past run's."""
        past = self._store.get_run(run_id)
        if directory is None:
            directory = past.get("directory") or None
        start = Start(
            directory=None if directory == "embedded" else directory,
            workflow=past["workflow_id"] or past["workflow"],
            input=past["input"] if input is None else input,
            dry_run=past["dry_run"] if dry_run is None else dry_run,
            started_by=self._user(),
            rerun_of=run_id,
            hooks=hooks,
        )
        return self._starter.start(start, wait=wait).run

    def check_input(self, workflow: str | Workflow, input: Any) -> InputCheck:
        """Check a run's input as a start would (defaults applied, then the trigger's input
        schema), without starting anything: every problem, with its JSON pointer; ``value``
        is None when refused."""
        if not isinstance(workflow, Workflow):
            workflow = self._definition(workflow, None)
        checked = check_input(workflow, input)
        return checked if checked.ok else dataclasses.replace(checked, value=None)

    def export(self, path: str | Path) -> dict[str, int]:
        """Write runs and steps as Parquet under ``path`` (a new or empty folder),
        partitioned by workflow and day (hive style: DuckDB, pandas, Dask and Spark read
        it); returns how many runs and steps were written."""
        from wfbench.batch import export_history

        with self._store.session() as cur:
            return export_history(cur, path)
