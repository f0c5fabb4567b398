"""A run's history writer (group commit), and the store-backed roles and connectors.

The workbench hands the engine these: the engine reports to a :class:`Recorder`
through its hooks and never imports the store.

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
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import duckdb
from pydantic import ValidationError

from wfbench.actions import ActionSpec
from wfbench.actions.context import Connector
from wfbench.directory import Directory
from wfbench.errors import ActionError, PermissionDenied, RunAborted
from wfbench.roles import Role, RoleRegistry
from wfbench.runs import RUN_FIELDS, STEP_FIELDS, Draft, Hooks, RunRecord, StepRecord
from wfbench.store import Store

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


class Recorder(Hooks):
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
        with self.lock:
            if self._directory is None:
                con = self.con
                if self.dry_run:  # a sandbox: whatever a handler writes is rolled back
                    con = self._sandbox = self.store.new_cursor()
                    con.begin()
                self._directory = Directory(con, permissions, run_id=run_id, dry_run=self.dry_run)
            return self._directory

    @contextlib.contextmanager
    def transaction(self, spec: ActionSpec) -> Iterator[None]:
        """Around one side-effecting attempt; the engine holds :attr:`lock`."""
        if not spec.batched:  # it may fail half-way: give it a transaction of its own
            self.commit()
        if not self.open:
            self.con.begin()
            self.open, self.since = True, time.monotonic()
        try:
            yield
        except (ActionError, PermissionDenied, ValidationError):
            if spec.batched:  # it checks before it writes: nothing to undo
                raise
            self._rollback()
            raise
        except BaseException as exc:
            lost = self._rollback()
            raise RunAborted(
                f"the store refused a change ({type(exc).__name__}: {exc}); the {lost} change(s) "
                "since the last commit were rolled back with their records"
            ) from exc
        if not spec.batched:
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
        self.run_row = run_row(run)
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
                self.store.record_finished_run(run_row(run), con=self.con)
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


def run_row(run: RunRecord | Draft[RunRecord]) -> dict[str, Any]:
    """A run's columns as the store writes them (no steps)."""
    return run.to_dict(steps=False)


def record_from_row(row: dict[str, Any]) -> RunRecord:
    """A run as :meth:`Store.get_run` returns it (a dict with ``steps``), as a record."""
    steps = tuple(StepRecord(**{k: s.get(k) for k in STEP_FIELDS}) for s in row.get("steps", []))
    fields: dict[str, Any] = {k: row.get(k) for k in RUN_FIELDS}
    return RunRecord(**fields, steps=steps)
