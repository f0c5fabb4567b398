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
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import duckdb
import pandas as pd
from pydantic import BaseModel, ValidationError

from wfbench.actions import ActionRegistry, ActionSpec, builtin_registry
from wfbench.actions.context import Connector, RunAborted
from wfbench.engine import (
    Environment,
    Execution,
    Hooks,
    RunHandle,
    RunRecord,
    StepRecord,
    prepare_input,
    start_background,
)
from wfbench.errors import (
    ActionError,
    IdempotencyConflict,
    InputError,
    PermissionDenied,
    RunRejected,
    WfbenchError,
)
from wfbench.model import Workflow, dump_workflow, read_document
from wfbench.roles import Role, RoleRegistry
from wfbench.store import Store, WorkflowInfo
from wfbench.validation import Report, validate

if TYPE_CHECKING:
    from wfbench.api import ApiServer
    from wfbench.testing import TestReport
    from wfbench.testing.runner import CasesSource, WorkflowSource

#: Buffered (read-only) step records are written at least this often during a run.
FLUSH_INTERVAL_S = 0.25
#: …or as soon as this many are waiting.
FLUSH_ROWS = 500

SAMPLES = ("onboard_new_hire.json", "offboard_contractor.json")


class _History(Hooks):
    """One run's history writer and its connection (see the module docstring).

    The run reads and changes the directory through its own cursor, on which a batch
    transaction stays open between commits: a change and its step record always land in
    the same transaction, and a crash loses both or neither. The batch commits once it
    is :data:`FLUSH_INTERVAL_S` old or holds :data:`FLUSH_ROWS` records, before an
    action that is not a built-in directory action changes anything, and at the end.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = threading.RLock()  # shared with the engine as Environment.lock
        self._con: duckdb.DuckDBPyConnection | None = None
        self._directory: Any = None
        self.buffer: list[tuple[dict[str, Any], bool]] = []  # (record, durable)
        self.open = False  # a batch transaction is open on the run's cursor
        self.since = time.monotonic()
        self.run_row: dict[str, Any] | None = None  # written with the run's first commit
        self.dry_run = False
        self._sandbox: duckdb.DuckDBPyConnection | None = None  # a dry run's directory

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        with self.lock:
            if self._con is None:  # made on the run's thread, inside its store session
                self._con = self.store.new_cursor()
            return self._con

    def directory(self, permissions: frozenset[str], run_id: str) -> Any:
        from wfbench.directory import Directory

        with self.lock:
            if self._directory is None:
                con = self.con
                if self.dry_run:  # a sandbox: whatever a handler writes is rolled back
                    con = self._sandbox = self.store.new_cursor()
                    con.begin()
                self._directory = Directory(con, permissions, run_id=run_id)
            return self._directory

    @contextlib.contextmanager
    def transaction(self, spec: ActionSpec) -> Iterator[None]:
        """Around one side-effecting attempt; the engine holds :attr:`lock`."""
        if not spec.dry_run_safe:  # it may fail half-way: give it a transaction of its own
            self.commit()
        if not self.open:
            self.con.begin()
            self.open, self.since = True, time.monotonic()
        try:
            yield
        except (ActionError, PermissionDenied, ValidationError):
            if spec.dry_run_safe:  # built-ins check before they write: nothing to undo
                raise
            self._rollback()
            raise
        except BaseException as exc:
            lost = self._rollback()
            raise RunAborted(
                f"the store refused a change ({type(exc).__name__}: {exc}); the {lost} change(s) "
                "since the last commit were rolled back with their records"
            ) from exc
        if not spec.dry_run_safe:
            self.commit()

    def _rollback(self) -> int:
        self.con.rollback()
        self.open = False
        lost = sum(durable for _, durable in self.buffer)
        self.buffer = [(row, durable) for row, durable in self.buffer if not durable]
        return lost

    def _begin(self) -> None:
        if not self.open:
            self.con.begin()
            self.open, self.since = True, time.monotonic()

    def commit(self) -> None:
        """Write the buffered records and commit the open batch.

        The run's own row is written by its first commit, in the same transaction: a run
        shorter than one batch costs one commit, and one a crash cut short before its first
        commit left nothing behind (no change, no record) to be marked ``interrupted``."""
        with self.lock:
            rows = [row for row, _ in self.buffer]
            self.buffer = []
            if self.run_row is not None:
                self._begin()
                self.store.begin_run(self.run_row, con=self.con)
                self.run_row = None
            if rows:
                self.store.write_steps(rows, con=self.con)
            if self.open:
                self.con.commit()
                self.open = False
            self.since = time.monotonic()

    def run_started(self, *, run: RunRecord) -> None:
        self.run_row = _run_row(run)
        self.dry_run = run.dry_run

    def step_finished(self, *, run: RunRecord, step: StepRecord, durable: bool) -> None:
        with self.lock:
            self.buffer.append((step.to_dict(), durable))
            due = (
                len(self.buffer) >= FLUSH_ROWS or time.monotonic() - self.since >= FLUSH_INTERVAL_S
            )
            if due:
                self.commit()

    def run_finished(self, *, run: RunRecord) -> None:
        assert run.ended_at is not None
        with self.lock:
            self._begin()
            if self.run_row is not None:  # nothing committed yet: the whole run in one row
                self.store.record_finished_run(_run_row(run), con=self.con)
                self.run_row = None
            else:
                self.store.finish_run(
                    run.run_id,
                    status=run.status,
                    output=run.output,
                    error=run.error,
                    ended_at=run.ended_at,
                    duration_ms=run.duration_ms or 0.0,
                    con=self.con,
                )
            self.commit()
            self.con.close()
            self._con = None
            if self._sandbox is not None:
                self._sandbox.rollback()
                self._sandbox.close()
                self._sandbox = None


class _StoredRoles(RoleRegistry):
    """Built-in roles and the custom roles saved in the store, read again when a name is
    not known yet or the whole list is asked for (another process may have defined one)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def _load(self) -> None:
        for name, permissions, description in self.store.custom_roles():
            if name not in self._roles:
                super().define(name, permissions, description)

    def define(self, name: str, permissions: Iterable[str], description: str = "") -> Role:
        with self.store.session():
            self._load()
            role = super().define(name, permissions, description)
            self.store.save_role(role.name, sorted(role.permissions), role.description)
        return role

    def get(self, name: str) -> Role:
        if name not in self._roles:
            self._load()
        return super().get(name)

    def __contains__(self, name: object) -> bool:
        if name not in self._roles:
            self._load()
        return name in self._roles

    def __iter__(self) -> Iterator[Role]:
        self._load()
        return super().__iter__()

    def names(self) -> list[str]:
        self._load()
        return super().names()


class _Connectors(Mapping[str, Connector]):
    """The store's connectors, read when a step first asks for one (most runs never do)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._loaded: dict[str, Connector] | None = None

    def _all(self) -> dict[str, Connector]:
        if self._loaded is None:
            self._loaded = self.store.connectors()
        return self._loaded

    def __getitem__(self, name: str) -> Connector:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _run_row(run: RunRecord) -> dict[str, Any]:
    return run.to_dict(steps=False)


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
        self.store = Store(path, lock_timeout=lock_timeout)
        self.catalogue: ActionRegistry = builtin_registry()
        self.role_registry: RoleRegistry = _StoredRoles(self.store)

    def __repr__(self) -> str:
        return f"Workbench({self.path!r})"

    # ------------------------------------------------------------------ the store
    def hold(self) -> contextlib.AbstractContextManager[Any]:
        """Keep the store file open across the operations in a ``with`` block."""
        return self.store.session()

    def init(self, *, demo: bool = False) -> bool:
        """Create the store's tables; with ``demo`` also seed the sample organisation and
        import the sample workflows. Safe to call again: an organisation already there is
        kept and a sample workflow already saved is not saved again. Returns whether the
        demo organisation was seeded by this call."""
        from wfbench.directory import seed_demo

        with self.store.session() as con:
            self.store.initialize()
            if not demo:
                return False
            seeded = False
            if not con.execute("select count(*) from users").fetchall()[0][0]:
                seed_demo(con)
                seeded = True
            samples = resources.files("wfbench") / "samples"
            for name in SAMPLES:
                doc, _ = read_document(samples.joinpath(name).read_text(encoding="utf-8"))
                if self.store.find_workflow(str(doc["name"])) is None:
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
        if self.store.find_workflow(name) is not None:
            raise WfbenchError(
                f"a workflow named '{name}' already exists (names are "
                "case-insensitive); open it or choose another name"
            )
        return Workflow(
            format="wfbench/v1", name=name, description=description, type="manual", run_as=run_as
        )

    def validate(self, workflow: Workflow | dict[str, Any]) -> Report:
        """Every issue of a draft, against this workbench's actions and roles."""
        doc = workflow if isinstance(workflow, dict) else _document(workflow)
        return validate(doc, actions=self.catalogue, roles=self.role_registry)

    def save(
        self,
        workflow: Workflow | dict[str, Any] | str | Path,
        *,
        workflow_id: str | None = None,
        saved_by: str | None = None,
    ) -> WorkflowInfo:
        """Validate and save as a new version; refuse with every issue (DefinitionError).

        A workflow whose name exists gets a new version of that workflow, unless
        ``workflow_id`` names which workflow this is (then it may be renamed).
        """
        if isinstance(workflow, Workflow):
            doc: Any = _document(workflow)
            label = workflow.name
        else:
            doc, label = read_document(workflow)
        report = validate(doc, actions=self.catalogue, roles=self.role_registry)
        report.raise_for_errors(source=label)
        assert report.workflow is not None
        with self.store.session():
            if workflow_id is None:
                existing = self.store.find_workflow(report.workflow.name)
                workflow_id = existing.id if existing else None
            return self.store.save_definition(
                report.workflow, workflow_id=workflow_id, saved_by=saved_by or self.user
            )

    def get(self, name: str, version: int | None = None) -> Workflow:
        """The saved definition (latest, or a given version)."""
        return self.store.get_definition(name, version)[1]

    def info(self, name: str) -> WorkflowInfo:
        return self.store.get_workflow(name)

    def workflows(self) -> pd.DataFrame:
        """The workflows overview: name, type, enabled, run-as, last run, run count."""
        return self.store.list_workflows()

    def enable(self, name: str) -> WorkflowInfo:
        return self.store.set_enabled(name, True)

    def disable(self, name: str) -> WorkflowInfo:
        return self.store.set_enabled(name, False)

    def delete(self, name: str) -> None:
        """Delete a workflow; its run history stays."""
        self.store.delete_workflow(name)

    def import_files(self, *paths: str | Path) -> list[WorkflowInfo]:
        """Save each file; refuse all of them, listing every issue, if any is invalid."""
        docs = []
        for path in paths:
            doc, label = read_document(Path(path))
            validate(doc, actions=self.catalogue, roles=self.role_registry).raise_for_errors(
                source=label
            )
            docs.append(doc)
        with self.store.session():
            return [self.save(doc, saved_by=self.user) for doc in docs]

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
        name: str,
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
        name: str,
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
        name: str,
        input: dict[str, Any] | None = None,
        *,
        dry_run: bool = False,
        wait: bool = True,
        started_by: str | None = None,
        idempotency_key: str | None = None,
        hooks: Sequence[Hooks] = (),
        rerun_of: str | None = None,
    ) -> RunRecord | RunHandle:
        """Start a manual run with ``input``.

        Refused starts (disabled workflow, input that does not match the schema)
        are kept in history as ``rejected`` and raise :class:`RunRejected`.
        ``wait=False`` runs in a background thread and returns a :class:`RunHandle`.
        """
        with self.store.session():
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
                return start_background(execution, self.store.session)
            return execution.run()

    def _prepare(
        self,
        name: str,
        input: dict[str, Any] | None,
        *,
        dry_run: bool,
        started_by: str,
        idempotency_key: str | None,
        hooks: Sequence[Hooks],
        rerun_of: str | None,
    ) -> Execution | RunRecord:
        info, workflow = self.store.get_definition(name)
        if idempotency_key:
            previous = self.store.find_run_by_idempotency_key(info.id, idempotency_key)
            if previous is not None:
                if previous["input"] != input and previous["input"] != _defaults(workflow, input):
                    raise IdempotencyConflict(
                        f"idempotency key '{idempotency_key}' was used for run "
                        f"{previous['run_id']} with a different input; use a new key"
                    )
                return _record_from_row(self.store.get_run(previous["run_id"]))
        history = _History(self.store)
        execution = Execution(
            workflow,
            input or {},
            role=Role("pending", frozenset()),
            env=self._env(history),
            hooks=[history, *hooks],
            workflow_id=info.id,
            version=info.version,
            started_by=started_by,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
            rerun_of=rerun_of,
        )
        problems: list[tuple[str, str]] = []
        reason = ""
        role: Role | None = None
        execution.record.run_as = workflow.run_as
        if not info.enabled:
            reason = f"'{info.name}' is disabled; enable it (wfbench enable) to run it"
            problems = [("", reason)]
        elif workflow.run_as not in self.role_registry:
            reason = (
                f"its run-as role '{workflow.run_as}' is not defined in this store; define it "
                "(Workbench.define_role) or save the workflow with another role"
            )
            problems = [("", reason)]
        else:
            role = self.role_registry.get(workflow.run_as)
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
            self.store.record_rejected(row)
            raise RunRejected(f"run rejected: {reason}", run_id=execution.run_id, problems=problems)
        execution.role = role
        execution.record.run_as = role.name
        return execution

    def _env(self, history: _History | None = None) -> Environment:
        """The engine's environment; with ``history``, the run's connection and lock."""
        if history is None:
            history = _History(self.store)
        return Environment(
            actions=self.catalogue,
            directory=history.directory,
            connectors=_Connectors(self.store),
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
        past = self.store.get_run(run_id)
        ref = past["workflow_id"] or past["workflow"]
        again = past["input"] if input is None else input
        flag = past["dry_run"] if dry_run is None else dry_run
        if wait:
            return self.run(ref, again, dry_run=flag, rerun_of=run_id, hooks=hooks)
        return self.run(ref, again, dry_run=flag, rerun_of=run_id, wait=False, hooks=hooks)

    def get_run(self, run_id: str) -> dict[str, Any]:
        """One run with its steps, as a dict (the shape ``wfbench show --json`` prints)."""
        return self.store.get_run(run_id)

    def runs(
        self, workflow: str | None = None, *, status: str | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """Execution history, newest first."""
        return self.store.runs(workflow=workflow, status=status, limit=limit)

    def steps(self, run_id: str) -> pd.DataFrame:
        """One run's steps, in order."""
        return self.store.steps(run_id)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any SQL over the store (history, definitions, the directory) as a DataFrame."""
        return self.store.sql(query, params)

    # ------------------------------------------------------------------ catalogue
    def roles(self) -> pd.DataFrame:
        """Roles and their permissions."""
        return pd.DataFrame(
            [
                {
                    "role": r.name,
                    "builtin": r.builtin,
                    "permissions": r.sorted_permissions(),
                    "description": r.description,
                }
                for r in self.role_registry
            ]
        )

    def define_role(self, name: str, permissions: Iterable[str], description: str = "") -> Role:
        """A custom role (for this workbench) from permissions such as ``users:*``."""
        return self.role_registry.define(name, permissions, description)

    def actions(self) -> pd.DataFrame:
        """The action catalogue: name, category, permissions, side effects, description."""
        return pd.DataFrame(
            [
                {
                    "action": s.name,
                    "category": s.category,
                    "permissions": sorted(s.permissions),
                    "side_effects": s.side_effects,
                    "description": s.description,
                }
                for s in self.catalogue
            ]
        )

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
        dry_run_safe: bool = False,
    ) -> Callable[[Any], Any]:
        """Decorator: register a Python function as a custom action of this workbench.

        The function is called as ``func(params, ctx)`` with an instance of ``input`` and an
        :class:`~wfbench.actions.context.ActionContext`, and returns an ``output`` (or a dict).
        ``exclusive=False`` lets loop iterations run it at once (it must not use
        ``ctx.directory`` then). ``dry_run_safe=True`` says it honours ``ctx.dry_run`` (writes
        nothing then), so a dry run calls it; otherwise a dry run only records that it would
        run. Whatever any handler writes to the directory during a dry run is rolled back.
        """
        return self.catalogue.action(
            name,
            input=input,
            output=output,
            permissions=permissions,
            side_effects=side_effects,
            description=description,
            exclusive=exclusive,
            category=category,
            require_one_of=require_one_of,
            dry_run_safe=dry_run_safe,
        )

    def add_connector(self, connector: Connector) -> None:
        """Save a named HTTP connector (secrets stay in environment variables)."""
        self.store.save_connector(connector)

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
        return self.store.create_api_key(name, role)

    # ------------------------------------------------------------------ tests and training
    def check(self, workflow: WorkflowSource, cases: CasesSource = None) -> TestReport:
        """Run test cases against a workflow in a sandbox; nothing reaches the store.

        ``workflow``: a saved workflow's name, a Workflow, a document or a file (whose
        ``NAME.cases.json`` beside it are the cases when ``cases`` is not given). See
        :func:`wfbench.testing.check`.
        """
        from wfbench.testing import check

        return check(self, workflow, cases)

    def reset_directory(self) -> dict[str, int]:
        """Restore the sample organisation to its seeded state; definitions and history stay.

        Returns the rows seeded per table."""
        from wfbench.training.room import reset_directory

        return reset_directory(self)


def _document(workflow: Workflow) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(dump_workflow(workflow))
    return doc


def _defaults(workflow: Workflow, input: dict[str, Any] | None) -> Any:
    from wfbench.engine import apply_defaults

    return apply_defaults(workflow.trigger.input_schema, input or {})


def _record_from_row(row: dict[str, Any]) -> RunRecord:
    steps = [
        StepRecord(**{k: s.get(k) for k in StepRecord.__dataclass_fields__})
        for s in row.get("steps", [])
    ]
    fields: dict[str, Any] = {k: row.get(k) for k in RunRecord.__dataclass_fields__ if k != "steps"}
    return RunRecord(**fields, steps=steps)
