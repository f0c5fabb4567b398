"""The façade: one object that wires the catalogue, the engine and the store.

``Workbench()`` opens the embedded default store (``./wfbench.duckdb``, or
``$WFBENCH_DB``); pass a path, or ``":memory:"`` for a throwaway one. The
store file is held only while an operation (a read, a save, a whole run) is
going on, so a notebook, the CLI and ``wfbench serve`` can share it; wrap many
operations in :meth:`Workbench.hold` to keep it across them.

History commit policy (group commit): a run changes the directory through its
own connection, inside a batch transaction that also receives every step
record; the batch commits when it is :data:`FLUSH_INTERVAL_S` seconds old or
holds :data:`FLUSH_ROWS` records, and at the end of the run. A change and its
record therefore always commit together (never an effect without its record);
a crash loses at most the last 0.25 s of a run, changes and records alike.
Built-in directory actions check everything before they write, so a refused
step leaves the batch clean; other side-effecting actions (custom, HTTP) get a
transaction of their own, rolled back if they fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, overload

from pydantic import BaseModel

from wfbench.actions import ActionRegistry, builtin_registry
from wfbench.actions.context import Connector
from wfbench.engine import (
    Environment,
    Execution,
    Hooks,
    RunHandle,
    RunRecord,
    start_background,
)
from wfbench.errors import (
    IdempotencyConflict,
    InputError,
    NameTaken,
    RunRejected,
)
from wfbench.model import Workflow, dump_workflow, read_document
from wfbench.roles import Role, RoleRegistry
from wfbench.runs import RUN_FIELDS, RUN_STATUSES, STEP_FIELDS, StepRecord
from wfbench.store import API_KEY_ROLES, ApiKey, Store, WorkflowInfo
from wfbench.store.recorder import FLUSH_INTERVAL_S, FLUSH_ROWS  # noqa: F401  (re-exported)
from wfbench.store.recorder import Recorder as _History
from wfbench.store.recorder import StoredRoles as _StoredRoles
from wfbench.store.recorder import record_from_row as _record_from_row
from wfbench.store.recorder import run_row as _run_row
from wfbench.validation import Report, validate
from wfbench.validation.inputs import apply_defaults, prepare_input

if TYPE_CHECKING:
    import pandas as pd

    from wfbench.api import ApiServer
    from wfbench.batch import Batch
    from wfbench.testing import TestReport
    from wfbench.testing.runner import CasesSource, WorkflowSource

# What the faces (widgets, CLI, HTTP API) may name: they import these from here (or from
# wfbench.runs), never from the store or the engine.
__all__ = [
    "API_KEY_ROLES",
    "RUN_FIELDS",
    "RUN_KEYS",
    "RUN_STATUSES",
    "STEP_FIELDS",
    "STEP_KEYS",
    "ApiKey",
    "Hooks",
    "IdempotencyConflict",
    "RunHandle",
    "RunRecord",
    "StepRecord",
    "Workbench",
    "WorkflowInfo",
    "run_document",
]

#: The keys of a run as ``wfbench run/show --json`` print it and the HTTP API returns it
#: (PRODUCT.md section 5): the run record's fields less the store's own ``workflow_id``.
RUN_KEYS = tuple(f for f in RUN_FIELDS if f != "workflow_id")
#: …and of each of its steps: the step record's fields less what ties a row to its run.
STEP_KEYS = tuple(f for f in STEP_FIELDS if f not in ("run_id", "started_at", "ended_at"))


def run_document(run: Mapping[str, Any]) -> dict[str, Any]:
    """A run (a :meth:`Workbench.get_run` dict or ``RunRecord.to_dict()``) in the one shape
    the faces show: ``run``/``show --json`` and the HTTP API's run."""
    out = {k: run.get(k) for k in RUN_KEYS}
    out["steps"] = [{k: s.get(k) for k in STEP_KEYS} for s in run.get("steps", [])]
    return out


#: ``Workbench.save(on_conflict=…)``: a name another workflow has makes a new version of
#: that workflow (the notebook's and ``wfbench import``'s way), or is refused with NameTaken.
OnConflict = Literal["new_version", "refuse"]

SAMPLES = ("onboard_new_hire.json", "offboard_contractor.json")
#: How long the HTTP API keeps the store file open after a request (unless someone waits).
SERVE_KEEP_OPEN_S = 1.0


class Workbench:
    """Build, save, run and study manual workflows on one store.

    >>> wb = Workbench(":memory:")
    >>> wb.init(demo=True)                          # doctest: +SKIP
    >>> wb.run("Offboard contractor", {"email": "ada.lovelace@example.com"})  # doctest: +SKIP
    """

    def __init__(
        self,
        db: str | os.PathLike[str] | None = None,
        *,
        user: str = "notebook",
        lock_timeout: float | None = None,
    ) -> None:
        path = db if db is not None else os.environ.get("WFBENCH_DB") or "wfbench.duckdb"
        self.path = str(path)
        self.user = user
        self._store = Store(path, lock_timeout=lock_timeout)
        self._catalogue: ActionRegistry = builtin_registry()
        self._role_registry: RoleRegistry = _StoredRoles(self._store)

    def __repr__(self) -> str:
        return f"Workbench({self.path!r})"

    # ------------------------------------------------------------------ the store
    def hold(self) -> contextlib.AbstractContextManager[Any]:
        """Keep the store file open across the operations in a ``with`` block."""
        return self._store.session()

    def keep_open(self, seconds: float) -> None:
        """Keep the store file open up to ``seconds`` after its last use (a server answering
        request after request opens it once); it is let go at once when another process is
        waiting for it. ``wfbench serve`` keeps it for :data:`SERVE_KEEP_OPEN_S`."""
        self._store.keep_open(seconds)

    def close(self) -> None:
        """Let go of the store file for good (this workbench cannot be used afterwards).

        Runs this workbench had not finished read ``interrupted`` the next time the file
        is opened."""
        self._store.close()

    def init(self, *, demo: bool = False) -> bool:
        """Create the store's tables; with ``demo`` also seed the sample organisation and
        import the sample workflows. Safe to call again: an organisation already there is
        kept and a sample workflow already saved is not saved again. Returns whether the
        demo organisation was seeded by this call."""
        from wfbench.directory import seed_demo

        with self._store.session() as con:
            self._store.initialize()
            if not demo:
                return False
            seeded = False
            if not con.execute("select count(*) from users").fetchall()[0][0]:
                seed_demo(con)
                seeded = True
            from importlib import resources  # here: its import costs every command 10 ms

            samples = resources.files("wfbench") / "samples"
            for name in SAMPLES:
                doc, _ = read_document(samples.joinpath(name).read_text(encoding="utf-8"))
                if self.find(str(doc["name"])) is None:
                    self.save(doc, saved_by="init")
            return seeded

    # ------------------------------------------------------------------ notebook views
    def overview(self) -> Any:
        """The workflows overview widget (Add → New Workflow, open, enable/disable)."""
        from wfbench.widgets import overview

        return overview(self)

    def canvas(self, name: str | None = None) -> Any:
        """The canvas widget for a saved workflow (or a new draft when ``name`` is None)."""
        from wfbench.widgets import canvas

        return canvas(self, name)

    def history(self, name: str) -> Any:
        """The execution history widget of one workflow."""
        from wfbench.widgets import history

        return history(self, name)

    # ------------------------------------------------------------------ definitions
    def create(self, name: str, description: str = "", *, run_as: str = "read_only") -> Workflow:
        """A new, unsaved manual workflow (the Create Workflow dialog's Done)."""
        if not self.name_free(name):
            raise _name_taken(name)
        return Workflow(
            format="wfbench/v1", name=name, description=description, type="manual", run_as=run_as
        )

    def validate(self, workflow: Workflow | dict[str, Any] | Any) -> Report:
        """Every issue of a draft (a model or any parsed JSON), against this workbench's
        actions and roles, the custom roles saved in the store included."""
        doc = _document(workflow) if isinstance(workflow, Workflow) else workflow
        return validate(doc, actions=self._catalogue, roles=self._roles_for_checks())

    def _roles_for_checks(self) -> RoleRegistry:
        """The roles a definition is checked against. A store file that does not exist
        yet holds no custom role: the built-ins then, without creating the file."""
        path = self._store.path
        if path != ":memory:" and not Path(path).exists():
            return RoleRegistry()
        return self._role_registry

    def find(self, ref: str) -> WorkflowInfo | None:
        """The saved workflow with this id or name (names ignore case), or None."""
        return self._store.find_workflow(ref)

    def name_free(self, name: str, *, workflow_id: str | None = None) -> bool:
        """Whether ``name`` may be given to a new workflow (or, with ``workflow_id``, to
        that workflow): no other saved workflow has it, ignoring case."""
        other = self.find(name)
        return other is None or other.id == workflow_id

    def save(
        self,
        workflow: Workflow | Report | dict[str, Any] | str | Path,
        *,
        workflow_id: str | None = None,
        saved_by: str | None = None,
        on_conflict: OnConflict = "new_version",
    ) -> WorkflowInfo:
        """Validate and save as a new version; refuse with every issue (DefinitionError).

        A workflow whose name exists gets a new version of that workflow, unless
        ``workflow_id`` names which workflow this is (then it may be renamed), or
        ``on_conflict="refuse"``: then a name another workflow has raises :class:`NameTaken`.
        A :class:`Report` from this workbench's :meth:`validate` is saved as it is, without
        being checked again.
        """
        if isinstance(workflow, Report):
            workflow.raise_for_errors(source=workflow.workflow.name if workflow.workflow else "")
            assert workflow.workflow is not None
            return self._save_checked(workflow.workflow, workflow_id, saved_by, on_conflict)
        if isinstance(workflow, Workflow):
            doc: Any = _document(workflow)
            label = workflow.name
        else:
            doc, label = read_document(workflow)
        report = self.validate(doc)
        report.raise_for_errors(source=label)
        assert report.workflow is not None
        return self._save_checked(report.workflow, workflow_id, saved_by, on_conflict)

    def _save_checked(
        self,
        workflow: Workflow,
        workflow_id: str | None,
        saved_by: str | None,
        on_conflict: OnConflict,
    ) -> WorkflowInfo:
        name = workflow.name
        with self._store.session():
            existing = self.find(name)
            if existing is not None and workflow_id is None and on_conflict == "new_version":
                workflow_id = existing.id
            elif existing is not None and existing.id != workflow_id:
                raise _name_taken(name)
            return self._store.save_definition(
                workflow, workflow_id=workflow_id, saved_by=saved_by or self.user
            )

    def get(self, name: str, version: int | None = None) -> Workflow:
        """The saved definition (latest, or a given version)."""
        return self._store.get_definition(name, version)[1]

    def definition(self, ref: str, version: int | None = None) -> tuple[WorkflowInfo, Workflow]:
        """A saved workflow's state and its definition (latest, or a given version), found
        with one look-up."""
        return self._store.get_definition(ref, version)

    def info(self, name: str) -> WorkflowInfo:
        return self._store.get_workflow(name)

    def workflows(self) -> pd.DataFrame:
        """The workflows overview: name, type, enabled, run-as, last run, run count."""
        return self._store.list_workflows()

    def enable(self, name: str) -> WorkflowInfo:
        return self._store.set_enabled(name, True)

    def disable(self, name: str) -> WorkflowInfo:
        return self._store.set_enabled(name, False)

    def delete(self, name: str) -> None:
        """Delete a workflow; its run history stays."""
        self._store.delete_workflow(name)

    def import_files(self, *paths: str | Path) -> list[WorkflowInfo]:
        """Save each file; refuse all of them, listing every issue, if any is invalid."""
        checked = []
        with self._store.session():
            for path in paths:
                doc, label = read_document(Path(path))
                report = self.validate(doc)
                report.raise_for_errors(source=label)
                assert report.workflow is not None
                checked.append(report.workflow)
            return [self._save_checked(wf, None, self.user, "new_version") for wf in checked]

    def export(self, name: str, path: str | Path | None = None) -> str:
        """The canonical JSON of a saved workflow; also written to ``path`` if given."""
        text = dump_workflow(self.get(name))
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    # ------------------------------------------------------------------ runs
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
        with self._store.session():
            execution = self._prepare(
                name,
                input,
                dry_run=dry_run,
                started_by=started_by or self.user,
                idempotency_key=idempotency_key,
                hooks=hooks,
                rerun_of=rerun_of,
            )
            if isinstance(execution, RunRecord):
                return execution
            if not wait:
                return self._background(execution)
            return execution.run()

    def _background(self, execution: Execution) -> RunHandle:
        """Start ``execution`` on a thread; return once its row is durable (its id is
        about to be handed out)."""
        history = execution.hooks[0]
        assert isinstance(history, _History)
        history.durable_start = True
        handle = start_background(execution, self._store.session)
        while not history.announced.wait(0.05) and not handle.done:
            pass
        return handle

    def _prepare(
        self,
        name: str | WorkflowInfo,
        input: dict[str, Any] | None,
        *,
        dry_run: bool,
        started_by: str,
        idempotency_key: str | None,
        hooks: Sequence[Hooks],
        rerun_of: str | None,
        batch_id: str | None = None,
        replay: bool = True,
    ) -> Execution | RunRecord:
        if isinstance(name, WorkflowInfo):  # looked up by the caller (the API): not again
            info, workflow = name, self._store.definition_of(name)
        else:
            info, workflow = self._store.get_definition(name)
        if idempotency_key and replay:
            previous = self._store.find_run_by_idempotency_key(info.id, idempotency_key)
            if previous is not None:
                if not _same_input(previous["input"], input, workflow):
                    raise IdempotencyConflict(
                        f"idempotency key '{idempotency_key}' was used for run "
                        f"{previous['run_id']} with a different input; use a new key"
                    )
                return _record_from_row(self._store.get_run(previous["run_id"]))
        # The recorder tells the other hooks of a step once its record is durable.
        history = _History(self._store, watchers=hooks)
        execution = Execution(
            workflow,
            input or {},
            role=Role("pending", frozenset()),
            env=self._env(history),
            hooks=[history],
            workflow_id=info.id,
            version=info.version,
            started_by=started_by,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
            rerun_of=rerun_of,
            batch_id=batch_id,
        )
        problems: list[tuple[str, str]] = []
        reason = ""
        role: Role | None = None
        execution.record.run_as = workflow.run_as
        if not info.enabled:
            reason = f"'{info.name}' is disabled; enable it (wfbench enable) to run it"
            problems = [("", reason)]
        elif workflow.run_as not in self._role_registry:
            reason = (
                f"its run-as role '{workflow.run_as}' is not defined in this store; define it "
                "(Workbench.define_role) or save the workflow with another role"
            )
            problems = [("", reason)]
        else:
            role = self._role_registry.get(workflow.run_as)
            try:
                execution.record.input = prepare_input(workflow, input)
            except InputError as exc:
                reason, problems = str(exc).splitlines()[0], exc.problems
        if problems or role is None:
            row = _run_row(execution.record)
            row.update(
                status="rejected",
                error=reason,
                input=input,
                reasons=[{"pointer": p, "message": m} for p, m in problems],
                ended_at=row["started_at"],
                duration_ms=0.0,
            )
            self._store.record_rejected(row)
            raise RunRejected(f"run rejected: {reason}", run_id=execution.run_id, problems=problems)
        execution.role = role
        execution.record.run_as = role.name
        return execution

    def _env(self, history: _History | None = None) -> Environment:
        """The engine's environment; with ``history``, the run's connection and lock."""
        if history is None:
            history = _History(self._store)
        return Environment(
            actions=self._catalogue,
            directory=history.directory,
            connectors=history.connectors,
            transaction=history.transaction,
            lock=history.lock,
        )

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

    # ------------------------------------------------------------------ batches
    def run_many(
        self,
        workflow: str,
        inputs: pd.DataFrame | Iterable[Mapping[str, Any]],
        *,
        batch: str | None = None,
        concurrency: int = 4,
        dry_run: bool = False,
        executor: Any = None,
        progress: bool | Callable[[Any], None] | None = None,
        wait: bool = True,
        started_by: str | None = None,
    ) -> pd.DataFrame | Batch:
        """Run ``workflow`` once per row of ``inputs`` (a DataFrame: columns are input
        fields, missing cells absent fields; or a list of dicts) and return the outcomes:
        one row per input with ``batch_id``, ``run_id``, ``status``, ``output``, ``error``,
        ``duration_ms`` and ``resumed``.

        Every run is recorded, tagged with the batch (``batch=`` names it; by default a new
        id). The same ``batch`` again resumes it: rows whose run succeeded are not run
        twice. ``concurrency`` runs go at once on this process's threads; ``executor`` (a
        ``distributed.Client``, a scheduler address, or ``$WFBENCH_DASK_SCHEDULER``) sends
        remote actions (``http.request``, ``remote=True``) to a Dask cluster, while the
        directory and history stay here. ``progress``: a bar in a notebook (default there),
        or a callable given a :class:`wfbench.batch.Progress`. Ctrl-C (a kernel interrupt)
        cancels; ``wait=False`` returns the running :class:`~wfbench.batch.Batch`
        (``.cancel()``, ``.wait()``, ``.frame()``).
        """
        from wfbench.batch import Batch, Port, new_batch_id, one_writer
        from wfbench.engine.cluster import invoker_for

        invoker = invoker_for(executor)
        writer = threading.Lock()
        batch_id = batch or new_batch_id()
        ref = self.find(workflow)
        definition = self.get(workflow)
        who = started_by or self.user

        def prepare(row: dict[str, Any], key: str) -> Execution:
            execution = self._prepare(
                workflow,
                row,
                dry_run=dry_run,
                started_by=who,
                idempotency_key=key,
                hooks=(),
                rerun_of=None,
                batch_id=batch_id,
                replay=False,
            )
            assert isinstance(execution, Execution)
            if invoker is not None:
                execution.env.invoker = invoker
            if concurrency > 1:
                execution.env.transaction = one_writer(execution.env.transaction, writer)
            return execution

        port = Port(
            prepare=prepare,
            previous=lambda: self.runs(ref.id if ref else workflow, batch=batch_id),
            same_input=lambda past, row: _same_input(past, row, definition),
        )
        dashboard = getattr(invoker, "dashboard_link", None)
        show = _batch_display(progress, dashboard)
        job = Batch(
            port,
            inputs,
            batch_id=batch_id,
            concurrency=concurrency,
            progress=show,
            dashboard=dashboard,
            hold=self._store.session,
        )
        job.start()
        return job.wait() if wait else job

    def export_history(self, path: str | Path) -> dict[str, int]:
        """Write runs and steps as Parquet under ``path`` (a new or empty folder),
        partitioned by workflow and day (hive style: DuckDB, pandas, Dask and Spark read
        it); returns how many runs and steps were written."""
        from wfbench.batch import export_history

        with self._store.session() as cur:
            return export_history(cur, path)

    def check_input(self, workflow: str | Workflow, input: Any) -> InputCheck:
        """Check a run's input as a start would (defaults applied, then the trigger's input
        schema), without starting anything: every problem, with its JSON pointer."""
        if not isinstance(workflow, Workflow):
            workflow = self.get(workflow)
        try:
            return InputCheck(prepare_input(workflow, input), "", [])
        except InputError as exc:
            return InputCheck(None, str(exc).splitlines()[0], list(exc.problems))

    def same_input(self, run: RunRecord, input: Any) -> bool:
        """Whether starting ``run``'s workflow with ``input`` repeats ``run``'s start (the
        same input once defaults are applied): the idempotency rule of a retried start."""
        ref = run.workflow_id or run.workflow
        return _same_input(run.input, input, self.get(ref, run.version))

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

    def steps(self, run_id: str) -> pd.DataFrame:
        """One run's steps, in order."""
        return self._store.steps(run_id)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any SQL over the store (history, definitions, the directory) as a DataFrame."""
        return self._store.sql(query, params)

    # ------------------------------------------------------------------ catalogue
    def roles(self) -> pd.DataFrame:
        """Roles and their permissions."""
        import pandas as pd  # on first use: `import wfbench` does not load pandas

        return pd.DataFrame(
            [
                {
                    "role": r.name,
                    "builtin": r.builtin,
                    "permissions": r.sorted_permissions(),
                    "description": r.description,
                }
                for r in self._role_registry
            ]
        )

    def role_catalogue(self) -> list[Role]:
        """Every role, built-in and custom (those saved in the store too), as objects."""
        return list(self._roles_for_checks())

    def define_role(self, name: str, permissions: Iterable[str], description: str = "") -> Role:
        """A custom role (for this workbench) from permissions such as ``users:*``."""
        return self._role_registry.define(name, permissions, description)

    def actions(self) -> pd.DataFrame:
        """The action catalogue: name, category, permissions, side effects, description."""
        import pandas as pd  # on first use: `import wfbench` does not load pandas

        return pd.DataFrame(
            [
                {
                    "action": s.name,
                    "category": s.category,
                    "permissions": sorted(s.permissions),
                    "side_effects": s.side_effects,
                    "description": s.description,
                }
                for s in self._catalogue
            ]
        )

    def action_catalogue(self) -> ActionRegistry:
        """The actions this workbench knows (built-in and custom), for reading; register
        new ones with :meth:`action`."""
        return self._catalogue

    def action(
        self,
        name: str,
        *,
        input: type[BaseModel],
        output: type[BaseModel],
        permissions: Iterable[str] = (),
        side_effects: bool = True,
        description: str | None = None,
        exclusive: bool = True,
        category: str | None = None,
        require_one_of: Sequence[str] = (),
        callable_in_dry_run: bool = False,
        dry_run_safe: bool = False,
        idempotent: bool = False,
        remote: bool = False,
    ) -> Callable[[Any], Any]:
        """Decorator: register a Python function as a custom action of this workbench.

        The function is called as ``func(params, ctx)`` with an instance of ``input`` and an
        :class:`~wfbench.actions.context.ActionContext`, and returns an ``output`` (or a dict).
        ``exclusive=False`` lets loop iterations run it at once (it must not use
        ``ctx.directory`` then). ``callable_in_dry_run=True`` lets a dry run call it (what it
        writes to the directory then is rolled back with the dry run's sandbox; it must not
        reach outside the directory); otherwise a dry run only records that it would run.
        ``dry_run_safe`` is the former name of that flag and is still accepted.
        ``idempotent=True`` says a second call with the same parameters changes nothing more:
        only then is an attempt whose outcome is unknown (timed out while running, its Dask
        worker lost) called again. ``remote=True`` says it uses only its parameters (never
        ``ctx.directory``): a Dask executor may run it on a worker, and calls overlap.
        """
        return self._catalogue.action(
            name,
            input=input,
            output=output,
            permissions=permissions,
            side_effects=side_effects,
            description=description,
            exclusive=exclusive,
            category=category,
            require_one_of=require_one_of,
            callable_in_dry_run=callable_in_dry_run or dry_run_safe,
            idempotent=idempotent,
            remote=remote,
        )

    def add_connector(self, connector: Connector) -> None:
        """Save a named HTTP connector (secrets stay in environment variables)."""
        self._store.save_connector(connector)

    # ------------------------------------------------------------------ HTTP API
    def serve(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        log_level: str = "warning",
        classroom: bool = False,
    ) -> ApiServer:
        """Serve the HTTP API on this store from a background thread of this process.

        Callers elsewhere can then start runs while you watch ``runs()`` fill. ``port=0``
        picks a free port. Returns a handle: ``.url``, ``.stop()`` (also a context
        manager). Callers need a key: :meth:`create_api_key` or ``wfbench apikey create``.
        ``classroom=True`` also serves the class board (:mod:`wfbench.training`).
        """
        from wfbench.api import ApiServer, create_app

        app = create_app(self, classroom=classroom)
        return ApiServer(app, host=host, port=port, log_level=log_level)

    def create_api_key(self, name: str, role: str = "runner") -> str:
        """A new HTTP API key (``viewer``, ``runner`` or ``editor``); shown only this once."""
        return self._store.create_api_key(name, role)

    def api_keys(self) -> list[ApiKey]:
        """Every API key's name, role, dates and state (never the key itself)."""
        return self._store.api_keys()

    def revoke_api_key(self, name: str) -> ApiKey:
        """Revoke a key: it stops working at once."""
        return self._store.revoke_api_key(name)

    def verify_api_key(self, key: str) -> ApiKey | None:
        """The live key ``key`` is (its use is noted), or None."""
        return self._store.verify_api_key(key)

    # ------------------------------------------------------------------ tests and training
    def check(self, workflow: WorkflowSource, cases: CasesSource = None) -> TestReport:
        """Run test cases against a workflow in a sandbox; nothing reaches the store.

        ``workflow``: a saved workflow's name, a Workflow, a document or a file (whose
        ``NAME.cases.json`` beside it are the cases when ``cases`` is not given). See
        :func:`wfbench.testing.check`.
        """
        from wfbench.testing import check

        report = check(self, workflow, cases)
        report.renderer = _path_graph
        return report

    def reset_directory(self) -> dict[str, int]:
        """Restore the sample organisation to its seeded state; definitions and history stay.

        Returns the rows seeded per table."""
        from wfbench.training.room import reset_directory

        return reset_directory(self)


def _path_graph(workflow: Workflow, statuses: Mapping[str, str]) -> Any:
    from wfbench.widgets import path_graph

    return path_graph(workflow, statuses)


def _document(workflow: Workflow) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(dump_workflow(workflow))
    return doc


class InputCheck(NamedTuple):
    """What :meth:`Workbench.check_input` found: the input a run would get (defaults
    applied; None when refused), a one-line summary and every ``(pointer, message)``."""

    value: dict[str, Any] | None
    summary: str
    problems: list[tuple[str, str]]

    @property
    def ok(self) -> bool:
        return not self.problems


def _same_input(first: Any, given: Any, workflow: Workflow) -> bool:
    """The idempotency rule, in one place: a retry repeats a start when its input is the
    first start's, as given or once the trigger's defaults are applied."""
    return bool(
        first == given or first == apply_defaults(workflow.trigger.input_schema, given or {})
    )


def _batch_display(
    progress: bool | Callable[[Any], None] | None, dashboard: str | None
) -> Callable[[Any], None] | None:
    """The progress callback of a batch: the caller's, a notebook bar, or none."""
    if callable(progress):
        return progress
    if progress is False:
        return None
    from wfbench.widgets.batch import in_notebook, progress_bar

    if progress is None and not in_notebook():
        return None
    return progress_bar(dashboard)


def _name_taken(name: str) -> NameTaken:
    return NameTaken(
        f"a workflow named {name!r} already exists (names ignore case); open the "
        "existing one to change it, or choose another name",
        name=name,
    )
