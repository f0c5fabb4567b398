"""The façade's second floor: starting runs (checked, recorded, pinned to a version),
re-runs, and reading history back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, NoReturn, overload

from wfbench.directory.targets import EMBEDDED, unsupported_steps
from wfbench.directory.targets import resolve as resolve_directory
from wfbench.engine import Environment, Execution, Hooks, RunHandle, RunRecord, start_background
from wfbench.errors import IdempotencyConflict, InputError, NotOnDirectory, RunRejected
from wfbench.model import Workflow
from wfbench.roles import Role
from wfbench.store import WorkflowInfo
from wfbench.store.recorder import Recorder as _History
from wfbench.store.recorder import record_from_row as _record_from_row
from wfbench.store.recorder import run_row as _run_row
from wfbench.validation.inputs import prepare_input, storable_problems
from wfbench.workbench.definitions import Definitions
from wfbench.workbench.shapes import InputCheck, Rows, same_input_rule

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
        directory: str | None = ...,
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
        directory: str | None = ...,
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
        directory: str | None = None,
    ) -> RunRecord | RunHandle:
        """Start a manual run with ``input`` (``name``: a name, an id, or the
        :class:`WorkflowInfo` a caller already looked up, so it is not looked up again).

        ``directory`` names a SCIM connector to act on (``None``: the embedded directory);
        a dry run on it is a plan (:meth:`plan`).

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
                directory=directory,
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
        directory: str | None = None,
    ) -> Execution | RunRecord:
        if isinstance(name, WorkflowInfo):  # looked up by the caller (the API): not again
            info, workflow = name, self._store.definition_of(name)
        else:
            info, workflow = self._store.get_definition(name)
        if idempotency_key and replay:
            previous = self._store.find_run_by_idempotency_key(info.id, idempotency_key)
            if previous is not None:
                if not same_input_rule(previous["input"], input, workflow):
                    raise IdempotencyConflict(
                        f"idempotency key '{idempotency_key}' was used for run "
                        f"{previous['run_id']} with a different input; use a new key"
                    )
                if bool(previous.get("dry_run")) != bool(dry_run):  # a rehearsal is not a retry
                    kind = "dry run" if previous.get("dry_run") else "real run"
                    raise IdempotencyConflict(
                        f"idempotency key '{idempotency_key}' was used for {kind} "
                        f"{previous['run_id']}; a retry must repeat it: use a new key"
                    )
                return _record_from_row(self._store.get_run(previous["run_id"]))
        # The directory it acts on (wfbench.directory.targets), chosen before anything runs.
        target = resolve_directory(directory, self._store.connectors())
        # The recorder tells the other hooks of a step once its record is durable.
        history = _History(self._store, watchers=hooks, target=target)
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
        execution.record.directory = target.name if target is not None else EMBEDDED
        refused: type[RunRejected] = RunRejected
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
                reason, problems = str(exc).splitlines()[0], list(exc.problems)
            cannot = unsupported_steps(workflow.steps, target) if target is not None else []
            if cannot and not problems:
                refused = NotOnDirectory
                reason = (
                    cannot[0][1]
                    if len(cannot) == 1
                    else (f"{len(cannot)} steps cannot act on the SCIM directory; nothing ran")
                )
            problems += cannot
        if problems or role is None:
            self._reject(execution, input, reason, problems, refused)
        execution.role = role
        execution.record.run_as = role.name
        return execution

    def _reject(
        self,
        execution: Execution,
        input: Any,
        reason: str,
        problems: list[tuple[str, str]],
        refused: type[RunRejected] = RunRejected,
    ) -> NoReturn:
        """Keep a refused start in history as ``rejected`` (with its reasons; its input only
        if the store can hold it) and raise :class:`RunRejected`."""
        row = _run_row(execution.record)
        row.update(
            status="rejected",
            error=reason,
            input=None if storable_problems(input) else input,
            reasons=[{"pointer": p, "message": m} for p, m in problems],
            ended_at=row["started_at"],
            duration_ms=0.0,
        )
        self._store.record_rejected(row)
        raise refused(f"run rejected: {reason}", run_id=execution.run_id, problems=problems)

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
