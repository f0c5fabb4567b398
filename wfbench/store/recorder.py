"""A run's history writer (group commit), and the store-backed roles and connectors.

The workbench hands the engine these: the engine reports to a :class:`Recorder`
through its hooks and never imports the store.

History commit policy (group commit, durable before told):

* the run's row commits when the run starts (status ``running``), so a run killed
  at any moment afterwards reads ``interrupted`` when the file is next opened;
* a run changes the directory through its own connection, inside a batch
  transaction that also receives every step record; the batch commits when it is
  :data:`FLUSH_INTERVAL_S` seconds old or holds :data:`FLUSH_ROWS` records,
  before any step that may block (``core.wait``, ``http.*``, custom actions), and
  at the end of the run. A change and its record always commit together (never an
  effect without its record);
* the run's other listeners (the CLI's progress lines, a notebook's) hear of a
  finished step only once its record is committed: a crash never loses a step
  anyone was told had finished. It may lose the steps of the last
  :data:`FLUSH_INTERVAL_S` seconds that nobody was told of yet.

Built-in directory actions check everything before they write, so a refused
step leaves the batch clean; other side-effecting actions (custom, HTTP) get a
transaction of their own, rolled back if they fail.

In a batch (``run_many``) a run's records go with the batch's group commit
(:mod:`wfbench.store.group_commit`): its row and the effect mark of a remote call that is
not idempotent are durable before the call; an idempotent remote call waits for nothing,
and its mark and record commit with the run's next commit (usually its end).
"""

from __future__ import annotations

import base64
import contextlib
import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import duckdb
from pydantic import ValidationError

from wfbench.actions import ActionSpec, builtin_registry
from wfbench.actions.context import Connector
from wfbench.actions.redaction import Scrubber
from wfbench.directory import Directory
from wfbench.directory.targets import ScimTarget
from wfbench.errors import ActionError, HandlerFailed, PermissionDenied, RunAborted
from wfbench.roles import Role, RoleRegistry
from wfbench.runs import RUN_FIELDS, STEP_FIELDS, Draft, Hooks, RunRecord, StepRecord
from wfbench.store import Store
from wfbench.store.group_commit import GroupCommit, Records

__all__ = [
    "FLUSH_INTERVAL_S",
    "FLUSH_ROWS",
    "Recorder",
    "StoredConnectors",
    "StoredRoles",
    "record_from_row",
    "run_row",
]

#: Buffered (read-only) step records are written at least this often during a run.
FLUSH_INTERVAL_S = 0.25
#: …or as soon as this many are waiting.
FLUSH_ROWS = 500
#: Built-in actions that may block (wait on time or on the network): the batch commits
#: before each of them. Every custom action may block too.
_BLOCKING_BUILTINS = frozenset({"core.wait", "http.request"})


def _quick_builtins() -> frozenset[str]:
    """Built-in actions that never block: the batch does not commit before them."""
    global _QUICK
    if _QUICK is None:
        _QUICK = frozenset(builtin_registry().names()) - _BLOCKING_BUILTINS
    return _QUICK


_QUICK: frozenset[str] | None = None


def _builtin_names() -> frozenset[str]:
    """Every built-in action's name (a custom action never takes one)."""
    return _quick_builtins() | _BLOCKING_BUILTINS


class Recorder(Hooks):
    """One run's history writer and its connection (see the module docstring).

    The run reads and changes the directory through its own cursor, on which a batch
    transaction stays open between commits: a change and its step record always land in
    the same transaction, and a crash loses both or neither. The run's row commits when
    the run starts; the batch commits once it is :data:`FLUSH_INTERVAL_S` old or holds
    :data:`FLUSH_ROWS` records, before a step that may block, before an action that is
    not a built-in directory action changes anything, and at the end.

    ``watchers`` are the run's other listeners: they hear of a step only once its record
    is committed, and of the run once its row is. ``durable_start`` commits the run's row
    the moment the run starts (so that a run killed at any moment reads ``interrupted``);
    it is on whenever the run is watched or its id is handed out before it ends. A run
    nobody hears of until it returns (``wb.run()`` in a kernel, an API start that waits)
    writes its row with its first batch instead: one commit fewer, and a crash before
    that first commit leaves no trace of a run nobody had been told of.
    :attr:`announced` is set once the run's row is committed (or the run is over).
    """

    def __init__(
        self,
        store: Store,
        *,
        watchers: Iterable[Hooks] = (),
        durable_start: bool | None = None,
        group: GroupCommit | None = None,
        target: ScimTarget | None = None,
    ) -> None:
        self.store = store
        #: A batch's shared writer: with it, records with no directory change waiting beside
        #: them commit together with other runs' (see :meth:`commit`); connectors are read
        #: once per batch.
        self.group = group
        self._finish: Records | None = None  # how the run ended, for the next group commit
        #: The SCIM directory the run acts on (``None``: the embedded one). Its changes
        #: happen elsewhere, so each directory step's record commits at once.
        self.target = target
        self.watchers: tuple[Hooks, ...] = tuple(watchers)
        self.durable_start = bool(self.watchers) if durable_start is None else durable_start
        self.announced = threading.Event()
        self._told_any = False  # a watched run commits its first step at once
        self.lock = threading.RLock()  # shared with the engine as Environment.lock
        self._con: duckdb.DuckDBPyConnection | None = None
        self._granted: Any = None  # the run's directory, once a step asked for it
        # (record, durable, step) of the steps not committed yet
        self.buffer: list[tuple[dict[str, Any], bool, StepRecord]] = []
        # effect marks not committed yet (store/effects.py): the next commit writes them
        self.marks: list[dict[str, Any]] = []
        self.open = False  # a batch transaction is open on the run's cursor
        self.since = time.monotonic()
        self.run_row: dict[str, Any] | None = None  # written by the next commit
        self.started: RunRecord | None = None
        self.dry_run = False
        self._sandbox: duckdb.DuckDBPyConnection | None = None  # a dry run's directory
        #: The run's connectors; once a step may have read one, the engine masks their
        #: secrets in every record it reports (:meth:`StoredConnectors.mask`, given to the
        #: run as ``Environment.mask``): what this writes is what the caller holds.
        self.connectors = StoredConnectors()

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        with self.lock:
            if self._con is None:  # made on the run's thread, inside its store session
                self._con = self.store.run_cursor()
            return self._con

    def directory(self, permissions: frozenset[str], run_id: str) -> Any:
        """The run's directory, for the engine: a built-in handler gets it as
        ``ctx.directory``; any other handler only a line to it that the run's thread answers
        (:mod:`wfbench.engine.channel`), never the directory or its connection."""
        with self.lock:
            if self._granted is None:
                con = self.con
                if self.target is not None and not self.dry_run:
                    from wfbench.store.scim_grant import GrantedScimDirectory

                    outbox = Directory(con, permissions, run_id=run_id)
                    self._granted = GrantedScimDirectory(
                        self.target, permissions, run_id=run_id, outbox=outbox
                    )
                    return self._granted
                if self.target is not None:  # a plan: reads the real one, writes on a copy
                    from wfbench.directory.scim_copy import planning_copy

                    con = self._sandbox = planning_copy(self.target)
                    con.begin()
                elif self.dry_run:  # a sandbox: whatever a handler writes is rolled back
                    con = self._sandbox = self.store.new_cursor()
                    con.begin()
                self._granted = Directory(con, permissions, run_id=run_id, dry_run=self.dry_run)
                # A dry run's sandbox is one transaction from start to end.
                self._granted._hold_reads(self.dry_run or self.open)
            return self._granted

    @contextlib.contextmanager
    def transaction(self, spec: ActionSpec) -> Iterator[None]:
        """Around one side-effecting attempt; the engine holds :attr:`lock`.

        A built-in directory action's change joins the open batch (it checks before it
        writes). Any other action gets a transaction of its own, so that whatever it
        raises (:class:`~wfbench.errors.HandlerFailed` for a handler's own exception),
        its directory changes are rolled back alone and the step fails; only a failure
        of the store itself aborts the run."""
        if spec.remote and self.group is not None and not self.open:
            # Its effect happens elsewhere (the engine calls this before the call, with
            # nothing inside, and after it, around its record): no transaction of the run's
            # own to open. Before the call, the mark of an effect that must not happen twice
            # (not idempotent) commits with what waits beside it (the run's row: a resume
            # finds the run by it) and other runs' records: durable before the call, so a
            # resume never calls it again. An idempotent call may be made again by a resume
            # anyway (its mark is not what a resume reads), so nothing commits before it.
            # After the call its record waits for the run's next commit (its end, the next
            # step that may block, or FLUSH_INTERVAL_S), as every record nobody has been
            # told of does. A one-step run of an idempotent call commits once, at its end.
            if any(not mark["idempotent"] for mark in self.marks):
                self.commit()
            yield
            return
        # A built-in acting on the embedded directory (or a dry run's sandbox) changes only
        # the store: its effect mark, its change and its record commit as one, so nothing
        # needs to be durable before it (in a batch, where it goes alone, that keeps the
        # batch's writer lock for one commit instead of two). On a SCIM directory a
        # built-in's change is already out there once it is called: its effect mark is made
        # durable before, as any other action's.
        local = spec.name in _builtin_names() and (self.target is None or self.dry_run)
        alone = not spec.batched or not local
        if not local:
            self.commit()
        self._begin()
        try:
            yield
        except HandlerFailed as exc:
            if alone:
                self._rollback()
                raise
            lost = self._rollback()  # a built-in broke half-way: its batch goes with it
            raise RunAborted(
                f"{spec.name} failed half-way ({exc}); the {lost} change(s) since the last "
                "commit were rolled back with their records"
            ) from exc
        except (ActionError, PermissionDenied, ValidationError):
            if not alone:  # it checks before it writes: nothing to undo
                raise
            self._rollback()
            raise
        except BaseException as exc:
            lost = self._rollback()
            raise RunAborted(
                f"the store refused a change ({type(exc).__name__}: {exc}); the {lost} change(s) "
                "since the last commit were rolled back with their records"
            ) from exc
        if alone:
            self.commit()

    def _held(self, held: bool) -> None:
        """Tell the run's directory whether one transaction stays open on its cursor: while
        it does, a record read in it is not read again (``directory.base``, "not reading
        twice"). A dry run's directory is on a sandbox cursor this does not touch."""
        if self._granted is not None and not self.dry_run:
            self._granted._hold_reads(held)

    def _rollback(self) -> int:
        self.con.rollback()
        self.open = False
        self.marks = []  # a mark of a built-in's change goes with it
        self._held(False)
        lost = sum(durable for _, durable, _ in self.buffer)
        self.buffer = [entry for entry in self.buffer if not entry[1]]
        return lost

    def _begin(self) -> None:
        if not self.open:
            self.con.begin()
            self.open, self.since = True, time.monotonic()
            self._held(True)

    def commit(self) -> None:
        """Write the buffered records, commit the open batch, then tell the watchers."""
        with self.lock:
            # with no directory change open on the run's cursor, everything waiting goes with
            # the batch's next group commit, durable once group.write returns (an effect
            # mark too: it returns before the call)
            if self.group is not None and not self.open:
                self._group_commit()
                return
            entries, self.buffer = self.buffer, []
            if self.run_row is not None:
                self._begin()
                self.store.begin_run(self.run_row, con=self.con)
                self.run_row = None
            if entries:
                self._begin()
                self.store.write_steps([row for row, _, _ in entries], con=self.con)
            marks, self.marks = self.marks, []
            if marks:
                self._begin()
                self.store.write_effects(marks, con=self.con)
            if self.open:
                self._held(False)  # before: once committed, others' commits become visible
                self.con.commit()
                self.open = False
            self.since = time.monotonic()
            for _, _, step in entries:
                self._tell("step_finished", run=self.started, step=step, durable=True)

    def _group_commit(self) -> None:
        """:meth:`commit` when no directory change is waiting on the run's cursor: the run's
        row, step records and end go with the batch's next group commit (one transaction for
        many runs), and the watchers hear of the steps once it committed."""
        entries, self.buffer = self.buffer, []
        start, self.run_row = self.run_row, None
        records, self._finish = self._finish or Records(), None
        if start is not None:
            records.starts.insert(0, start)
        records.steps = [row for row, _, _ in entries]
        records.marks, self.marks = self.marks, []
        if records:
            assert self.group is not None
            self.group.write(records)
        self.since = time.monotonic()
        for _, _, step in entries:
            self._tell("step_finished", run=self.started, step=step, durable=True)

    def _tell(self, method: str, **kwargs: Any) -> None:
        for watcher in self.watchers:
            getattr(watcher, method)(**kwargs)

    def run_started(self, *, run: RunRecord) -> None:
        with self.lock:
            self.started = run
            self.dry_run = run.dry_run
            self.run_row = run_row(run)
            try:
                if self.durable_start:
                    self.commit()  # durable before anyone is told the run's id
            finally:
                if self.durable_start:
                    self.announced.set()
        self._tell("run_started", run=run)

    def step_started(self, *, run: RunRecord, step: StepRecord) -> None:
        # On a SCIM directory every step may wait on the network and reads its connector
        # (whose token every record is then scrubbed of).
        remote = self.target is not None
        if step.action is not None and (remote or step.action not in _quick_builtins()):
            with self.lock:  # it may block: what came before is durable first
                if self.buffer or self.open:
                    self.commit()
                if self.group is not None:  # read once for the whole batch
                    self.connectors.adopt(self.group.connectors())
                self.connectors.load(self.store)  # it may call a connector
        self._tell("step_started", run=run, step=step)

    def effect_starting(self, *, run: RunRecord, step: StepRecord, idempotent: bool) -> None:
        """Mark the effect; the commit before the handler is called writes it (with a
        built-in directory action's change, the commit that writes its record)."""
        with self.lock:
            mark = {"run_id": step.run_id, "seq": step.seq, "action": step.action}
            self.marks.append({**mark, "idempotent": idempotent})

    def step_finished(self, *, run: RunRecord, step: StepRecord, durable: bool) -> None:
        with self.lock:
            if not self.buffer and not self.open:  # the interval counts from the oldest
                self.since = time.monotonic()  # record waiting, not from the last commit
            self.buffer.append((step.to_dict(), durable, step))
            due = (
                len(self.buffer) >= FLUSH_ROWS
                or time.monotonic() - self.since >= FLUSH_INTERVAL_S
                or (self.watchers and not self._told_any)  # someone waits for the first
                or (durable and self.target is not None)  # its effect is already out there
            )
            if due:
                self._told_any = True
                self.commit()

    def run_finished(self, *, run: RunRecord) -> None:
        assert run.ended_at is not None
        ended_at = run.ended_at
        with self.lock:
            row = run_row(run)  # the engine masked it (Environment.mask)
            store = self.store
            whole, self.run_row = self.run_row is not None, None  # never committed: one row

            def finish(con: duckdb.DuckDBPyConnection) -> None:
                if whole:
                    store.record_finished_run(row, con=con)
                    return
                store.finish_run(
                    run.run_id,
                    status=run.status,
                    output=row["output"],
                    error=row["error"],
                    ended_at=ended_at,
                    duration_ms=run.duration_ms or 0.0,
                    con=con,
                )

            if self.group is not None and not self.open:  # with the batch's next group commit
                ended = {
                    "run_id": run.run_id,
                    "status": run.status,
                    "output": row["output"],
                    "error": row["error"],
                    "ended_at": ended_at,
                    "duration_ms": run.duration_ms or 0.0,
                }
                self._finish = Records(starts=[row]) if whole else Records(ends=[ended])
            else:
                self._begin()
                finish(self.con)
            self.commit()
            if self.target is not None and not self.dry_run and self._granted is not None:
                self._granted.close()  # the SCIM directory's HTTP client
            self._granted = None
            if self._con is not None:
                self.store.return_cursor(self._con)
            self._con = None
            if self._sandbox is not None:
                self._sandbox.rollback()
                self._sandbox.close()
                self._sandbox = None
        self.announced.set()
        self._tell("run_finished", run=run)


class StoredRoles(RoleRegistry):
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


class StoredConnectors(Mapping[str, Connector]):
    """The store's connectors as a run's steps see them (``ctx.connectors``).

    Read from the store before the first step that may call one (an HTTP or custom
    action; most runs have none); the mapping itself holds no reference to the store,
    so a handler cannot reach the store's connection through it."""

    __slots__ = ("_extra", "_loaded", "_scrub", "_secrets")

    def __init__(self) -> None:
        self._loaded: dict[str, Connector] | None = None
        self._extra: set[str] = set()
        self._secrets: set[str] = set()
        self._scrub = Scrubber(())

    def load(self, store: Store) -> None:
        """Read the connectors (once per run)."""
        if self._loaded is None:
            self._loaded = store.connectors()

    def adopt(self, connectors: dict[str, Connector]) -> None:
        """Use ``connectors`` read once for a whole batch (instead of :meth:`load`)."""
        if self._loaded is None:
            self._loaded = dict(connectors)

    def _all(self) -> dict[str, Connector]:
        return self._loaded or {}

    def __getitem__(self, name: str) -> Connector:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def mask(self, value: Any) -> Any:
        """``value`` with the secrets of this store's connectors masked (``***``), once a
        step may have read a connector; as it is before that."""
        scrub = self.scrubber()
        return scrub(value) if scrub else value

    def scrubber(self) -> Scrubber | None:
        """Masks the secrets of this store's connectors (from their environment variables),
        or ``None`` if no step has read a connector yet."""
        if self._loaded is None:
            return None
        names: list[str | None] = []
        for c in self._loaded.values():
            names += [c.password_env, c.token_env]
            if c.username_env and c.password_env:
                user, password = os.environ.get(c.username_env), os.environ.get(c.password_env)
                if user and password:
                    credential = f"{user}:{password}"
                    self._extra.add(credential)
                    self._extra.add(base64.b64encode(credential.encode()).decode("ascii"))
        secrets = {os.environ.get(n) or "" for n in names if n} | self._extra
        if secrets != self._secrets:
            self._secrets, self._scrub = secrets, Scrubber(secrets)
        return self._scrub


def run_row(run: RunRecord | Draft[RunRecord]) -> dict[str, Any]:
    """A run's columns as the store writes them (no steps)."""
    return run.to_dict(steps=False)


def record_from_row(row: dict[str, Any]) -> RunRecord:
    """A run as :meth:`Store.get_run` returns it (a dict with ``steps``), as a record."""
    steps = tuple(StepRecord(**{k: s.get(k) for k in STEP_FIELDS}) for s in row.get("steps", []))
    fields: dict[str, Any] = {k: row.get(k) for k in RUN_FIELDS}
    return RunRecord(**fields, steps=steps)
