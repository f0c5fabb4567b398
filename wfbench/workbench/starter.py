"""The run starter: the only code that starts a run.

``wb.run``, ``wb.runs.rerun``, every row of ``wb.run_many``, ``POST
/api/v2/workflows/{id}/runs`` (through ``wb.starter.start``), a workflow test case and a
training exercise (which runs as test cases) all start their run here, in the same steps:

1. **find** the definition: a name, an id, the :class:`WorkflowInfo` a caller already
   looked up, or (a test case) a workflow that was never saved;
2. **replay** a start that repeats one (idempotency): a run going on with the same key
   (started by this workbench) or a stored one is handed back instead of starting
   another; the same key with another input or dry-run mode is refused
   (:class:`IdempotencyConflict`);
3. **build** the :class:`Execution`: its environment (the store's directory, connectors
   and transaction, or the sandbox's own for a test case) and its listeners (history's
   recorder first, which tells the others only of what it has written);
4. **refuse** what may not run, the same way for every face: a disabled workflow raises
   :class:`WorkflowDisabled`, an undefined run-as role or an input that does not match
   the trigger schema :class:`RunRejected`; the refusal is kept in history as
   ``rejected`` (a test case's sandbox keeps nothing);
5. **mask** connector secrets: the environment's ``mask`` is the store's connectors', so
   the engine masks every record once, where it reports it. The caller, every listener,
   history and the HTTP answer hold the same record, field for field.

The directory a run acts on (the embedded one, or a SCIM connector's named by
``Start.directory``) is chosen in :meth:`Starter._environment`; a name that is no SCIM
connector raises :class:`UnknownDirectory` before anything is recorded, and a run that holds
a step SCIM cannot do is refused (:class:`NotOnDirectory`, kept as ``rejected``) in step 4.
At-most-once bookkeeping across resumes sits beside the idempotency look-up in
:meth:`Starter._replay`.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import duckdb

from wfbench.actions import ActionRegistry
from wfbench.directory.targets import EMBEDDED, ScimTarget, unsupported_steps
from wfbench.directory.targets import resolve as resolve_directory
from wfbench.engine import Environment, Execution, Hooks, RunHandle, RunRecord, start_background
from wfbench.errors import (
    IdempotencyConflict,
    InputError,
    NotOnDirectory,
    RunRejected,
    WorkflowDisabled,
)
from wfbench.model import Workflow
from wfbench.roles import Role, RoleRegistry
from wfbench.store import Store, WorkflowInfo
from wfbench.store.group_commit import GroupCommit
from wfbench.store.recorder import Recorder, record_from_row, run_row
from wfbench.validation.inputs import prepare_input, storable_problems
from wfbench.workbench.shapes import same_input_rule

__all__ = ["Start", "Started", "Starter"]


@dataclass(frozen=True, kw_only=True)
class Start:
    """What a caller asks of a start (every face fills in the same fields)."""

    workflow: str | WorkflowInfo | Workflow
    """A saved workflow's name or id, the state a caller already looked up, or (a test
    case) a workflow that was never saved."""
    input: Any = None
    dry_run: bool = False
    started_by: str = "notebook"
    idempotency_key: str | None = None
    rerun_of: str | None = None
    batch_id: str | None = None
    hooks: Sequence[Hooks] = ()
    """The run's other listeners (a notebook's live colours, the CLI's progress lines)."""
    group: GroupCommit | None = None
    """A batch's shared writer (:class:`~wfbench.store.group_commit.GroupCommit`): the run's
    history records commit together with those of the other runs going at once (issue 22)."""
    directory: str | None = None
    """The directory it acts on: a SCIM connector's name, or ``None`` (or ``embedded``) for
    the embedded one. A dry run on a SCIM directory is a plan: it reads the real directory
    and writes on a copy."""


class Started(NamedTuple):
    """What a start gave: the run (its record, or a handle when it goes on in the
    background) and whether it is an earlier run handed back (an idempotent retry)."""

    run: RunRecord | RunHandle
    replayed: bool


class _InFlight:
    """Runs this workbench started in the background that have not ended, by id and by
    idempotency key, and one lock per key while a start with it is being decided."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, tuple[RunHandle, tuple[str, str] | None]] = {}
        self._keys: dict[tuple[str, str], tuple[threading.Lock, list[int]]] = {}

    def add(self, handle: RunHandle, key: tuple[str, str] | None) -> None:
        with self._lock:
            for run_id, (other, _) in list(self._runs.items()):
                if other.done:
                    del self._runs[run_id]
            self._runs[handle.run_id] = (handle, key)

    def get(self, run_id: str) -> RunHandle | None:
        with self._lock:
            found = self._runs.get(run_id)
        return None if found is None else found[0]

    def by_key(self, key: tuple[str, str]) -> RunHandle | None:
        with self._lock:
            for handle, held in self._runs.values():
                if held == key and not handle.done:
                    return handle
        return None

    @contextlib.contextmanager
    def hold(self, key: tuple[str, str] | None) -> Iterator[None]:
        """One start at a time per key (none needed without a key)."""
        if key is None:
            yield
            return
        with self._lock:
            lock, users = self._keys.setdefault(key, (threading.Lock(), [0]))
            users[0] += 1
        try:
            with lock:
                yield
        finally:
            with self._lock:
                users[0] -= 1
                if not users[0]:
                    del self._keys[key]


class Starter:
    """Starts runs on one store (see the module docstring): ``wb.starter``."""

    def __init__(self, store: Store, actions: ActionRegistry, roles: RoleRegistry) -> None:
        self._store = store
        self._actions = actions
        self._roles = roles
        self._flight = _InFlight()

    # -- the verbs
    def start(self, start: Start, *, wait: bool = True) -> Started:
        """Start a run (or hand back the one this start repeats). ``wait=False`` runs it on
        a background thread and gives its :class:`RunHandle` once its id may be handed
        out. Raises :class:`WorkflowDisabled` / :class:`RunRejected` (kept in history as
        ``rejected``) or :class:`IdempotencyConflict`."""
        with self._store.session():
            info, workflow = self._find(start.workflow)
            key = (info.id, start.idempotency_key) if info and start.idempotency_key else None
            with self._flight.hold(key):
                earlier = self._replay(start, info, workflow)
                if earlier is not None:
                    return Started(earlier, True)
                execution = self._build(start, info, workflow, history=True)
                if wait:
                    return Started(execution.run(), False)
                handle = self._background(execution)
                self._flight.add(handle, key)
                return Started(handle, False)

    def prepare(self, start: Start) -> Execution | RunRecord:
        """A start made ready but not run (a batch runs its rows on its own threads): the
        execution, or the earlier run this start repeats. Refuses as :meth:`start` does."""
        info, workflow = self._find(start.workflow)
        earlier = self._replay(start, info, workflow)
        if earlier is not None:
            return earlier
        return self._build(start, info, workflow, history=True)

    def rehearse(
        self,
        workflow: str | Workflow,
        input: Any,
        environment: Environment,
        *,
        started_by: str = "test",
    ) -> RunRecord:
        """Run ``workflow`` (a saved one's name, or a workflow) with ``input`` in
        ``environment`` (a test case's sandbox: its own directory and actions) without
        history: nothing is recorded, a refusal neither. Refuses as :meth:`start` does."""
        start = Start(workflow=workflow, input=input, started_by=started_by)
        info, workflow = self._find(workflow)
        execution = self._build(start, info, workflow, history=False, environment=environment)
        return execution.run()

    @contextlib.contextmanager
    def sandbox(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the store inside a transaction that is always rolled back: what a
        test case's run changes there is undone afterwards."""
        with self._store.session():
            con = self._store.new_cursor()
            try:
                con.begin()
                try:
                    yield con
                finally:
                    con.rollback()
            finally:
                con.close()

    def environment(self) -> Environment:
        """The world a run started here acts on (the store's directory, connectors and
        transaction, this workbench's actions), for driving an :class:`Execution` by hand."""
        return self._environment(None)

    def running(self, run_id: str) -> RunHandle | None:
        """A run this workbench started in the background that has not ended, or None
        (history may not have its row yet)."""
        return self._flight.get(run_id)

    # -- the steps
    def _find(self, ref: str | WorkflowInfo | Workflow) -> tuple[WorkflowInfo | None, Workflow]:
        if isinstance(ref, Workflow):  # a test case's workflow that was never saved
            return None, ref
        if isinstance(ref, WorkflowInfo):  # looked up by the caller (the API): not again
            return ref, self._store.definition_of(ref)
        return self._store.get_definition(ref)

    def _replay(
        self, start: Start, info: WorkflowInfo | None, workflow: Workflow
    ) -> RunRecord | None:
        """The run this start repeats (the same idempotency key, going on or stored), or
        None; the same key with another input or dry-run mode is refused."""
        key = start.idempotency_key
        if info is None or not key:
            return None
        going = self._flight.by_key((info.id, key))
        if going is not None:
            first = going.execution.result()
            self._same_start(start, first.to_dict(steps=False), workflow, " (still running)")
            return first
        if start.batch_id is not None:
            return None  # a batch decides its resumed rows itself (Batch._resume)
        previous = self._store.find_run_by_idempotency_key(info.id, key)
        if previous is None:
            return None
        self._same_start(start, previous, workflow, "")
        return record_from_row(self._store.get_run(previous["run_id"]))

    @staticmethod
    def _same_start(start: Start, first: dict[str, Any], workflow: Workflow, when: str) -> None:
        key = start.idempotency_key
        if not same_input_rule(first["input"], start.input, workflow):
            raise IdempotencyConflict(
                f"idempotency key '{key}' was used for run {first['run_id']}{when} with a "
                "different input; use a new key"
            )
        if bool(first.get("dry_run")) != bool(start.dry_run):  # a rehearsal is not a retry
            kind = "dry run" if first.get("dry_run") else "real run"
            raise IdempotencyConflict(
                f"idempotency key '{key}' was used for {kind} {first['run_id']}{when}; a "
                "retry must repeat it: use a new key"
            )

    def _environment(self, history: Recorder | None, directory: str | None = None) -> Environment:
        """The world a run acts on: the store's embedded directory, or the SCIM directory
        ``directory`` names (its recorder then acts there; raises :class:`UnknownDirectory`
        for a name that is no SCIM connector)."""
        if history is None:
            history = Recorder(self._store)
        if directory not in (None, EMBEDDED):  # the store's connectors read only then
            history.target = resolve_directory(directory, self._store.connectors())
        return Environment(
            actions=self._actions,
            directory=history.directory,
            connectors=history.connectors,
            transaction=history.transaction,
            lock=history.lock,
            mask=history.connectors.mask,
        )

    def _build(
        self,
        start: Start,
        info: WorkflowInfo | None,
        workflow: Workflow,
        *,
        history: bool,
        environment: Environment | None = None,
    ) -> Execution:
        recorder = (
            Recorder(self._store, watchers=start.hooks, group=start.group) if history else None
        )
        env = (
            environment if environment is not None else self._environment(recorder, start.directory)
        )
        target = recorder.target if recorder is not None else None
        execution = Execution(
            workflow,
            start.input or {},
            role=Role("pending", frozenset()),
            env=env,
            hooks=[recorder] if recorder is not None else list(start.hooks),
            run_id=None if history else f"test_{uuid.uuid4().hex}",
            workflow_id=info.id if info else None,
            version=info.version if info else None,
            started_by=start.started_by,
            dry_run=start.dry_run,
            idempotency_key=start.idempotency_key,
            rerun_of=start.rerun_of,
            batch_id=start.batch_id,
        )
        execution.record.run_as = workflow.run_as
        execution.record.directory = target.name if target is not None else EMBEDDED
        refusal: RunRejected | None = None
        if info is not None and not info.enabled:
            reason = f"'{info.name}' is disabled; enable it (wfbench enable) to run it"
            refusal = WorkflowDisabled(
                f"run rejected: {reason}", run_id=execution.run_id, problems=[("", reason)]
            )
        elif workflow.run_as not in self._roles:
            reason = (
                f"its run-as role '{workflow.run_as}' is not defined in this store; define it "
                "(wb.catalogue.define_role) or save the workflow with another role"
            )
            refusal = RunRejected(
                f"run rejected: {reason}", run_id=execution.run_id, problems=[("", reason)]
            )
        else:
            refusal = self._check_input(execution, workflow, start.input, target)
        if refusal is not None:
            if history:
                self._record_refusal(execution, start.input, refusal)
            raise refusal
        role = self._roles.get(workflow.run_as)
        execution.role = role
        execution.record.run_as = role.name
        return execution

    @staticmethod
    def _check_input(
        execution: Execution, workflow: Workflow, input: Any, target: ScimTarget | None
    ) -> RunRejected | None:
        """Prepare the run's input; the refusal of an input that does not match the trigger
        schema (:class:`RunRejected`) or of steps the SCIM target cannot do
        (:class:`NotOnDirectory`), every problem at once; None when it may run."""
        reason, problems, bad_input = "", list[tuple[str, str]](), False
        try:
            execution.record.input = prepare_input(workflow, input)
        except InputError as exc:
            reason, problems, bad_input = str(exc).splitlines()[0], list(exc.problems), True
        cannot = unsupported_steps(workflow.steps, target) if target is not None else []
        refused: type[RunRejected] = RunRejected
        if cannot and not bad_input:
            refused = NotOnDirectory
            reason = (
                cannot[0][1]
                if len(cannot) == 1
                else f"{len(cannot)} steps cannot act on the SCIM directory; nothing ran"
            )
        problems += cannot
        if not bad_input and not cannot:
            return None
        return refused(f"run rejected: {reason}", run_id=execution.run_id, problems=problems)

    def _record_refusal(self, execution: Execution, input: Any, refusal: RunRejected) -> None:
        """Keep a refused start in history as ``rejected``, with its reasons (its input only
        if the store can hold it)."""
        row = run_row(execution.record)
        row.update(
            status="rejected",
            error=str(refusal).splitlines()[0].removeprefix("run rejected: "),
            input=None if storable_problems(input) else input,
            reasons=[{"pointer": p, "message": m} for p, m in refusal.problems],
            ended_at=row["started_at"],
            duration_ms=0.0,
        )
        self._store.record_rejected(row)

    def _background(self, execution: Execution) -> RunHandle:
        """Start ``execution`` on a thread; return once its row is durable (its id is
        about to be handed out)."""
        history = execution.hooks[0]
        assert isinstance(history, Recorder)
        history.durable_start = True
        handle = start_background(execution, self._store.session)
        while not history.announced.wait(0.05) and not handle.done:
            pass
        return handle
