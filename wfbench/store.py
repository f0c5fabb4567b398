"""The DuckDB store: definitions and their versions, runs, steps, connectors.

One DuckDB file holds everything (the directory's tables too, created by
:func:`wfbench.directory.create_directory`). The engine never imports this
module; the workbench hands the engine hooks that call :class:`Store`.

**Holding the file.** DuckDB lets one process hold a file read-write and then
refuses every other process, even read-only. So a file-backed store opens its
connection on demand and closes it when the outermost :meth:`Store.session`
exits: a one-off call holds the file only for that call, and a caller who wants
to hold it across many calls wraps them in one ``with store.session():``. A
store that finds the file held waits (backing off from 10 ms to 200 ms) up to
``lock_timeout`` seconds, then raises :class:`~wfbench.errors.StoreBusy`
naming the process that holds it. ``":memory:"`` keeps one connection for the
store's life.

**Writing history.** A single-row statement costs about a millisecond, so a
run's steps are appended as one Arrow batch in one statement
(:meth:`Store.write_steps`), never row by row.

**Types.** Ids are ``VARCHAR``; inputs, outputs, parameters and reasons are
DuckDB ``JSON``; timestamps are ``TIMESTAMPTZ`` read back in UTC (every
connection sets ``TimeZone = 'UTC'``), so Python values are timezone-aware
UTC datetimes and DataFrame columns are ``datetime64[us, UTC]``. ``runs`` and
``steps`` carry no index: appends stay cheap and the analytical queries scan
columns anyway.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import re
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Final

import duckdb
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from wfbench.actions.context import Connector
from wfbench.errors import NotFound, StoreBusy, WfbenchError
from wfbench.model import Workflow, dump_workflow

__all__ = [
    "API_KEY_ROLES",
    "RUN_FIELDS",
    "RUN_STATUSES",
    "SCHEMA_VERSION",
    "STEP_FIELDS",
    "STEP_STATUSES",
    "ApiKey",
    "Store",
    "WorkflowInfo",
]

#: Bumped whenever the tables change shape.
SCHEMA_VERSION: Final = 1

RUN_STATUSES: Final = (
    "queued",
    "running",
    "succeeded",
    "failed",
    "cancelled",
    "rejected",
    "interrupted",
)
STEP_STATUSES: Final = ("running", "succeeded", "failed", "skipped", "simulated")
#: Caller roles of HTTP API keys, narrowest first: each may do what the ones before it may.
API_KEY_ROLES: Final = ("viewer", "runner", "editor")

#: The keys of a run record, in column order.
RUN_FIELDS: Final = (
    "run_id",
    "workflow_id",
    "workflow",
    "version",
    "status",
    "input",
    "output",
    "error",
    "reasons",
    "run_as",
    "started_by",
    "dry_run",
    "idempotency_key",
    "rerun_of",
    "started_at",
    "ended_at",
    "duration_ms",
)
#: The keys of a step record, in column order.
STEP_FIELDS: Final = (
    "run_id",
    "seq",
    "node",
    "path",
    "kind",
    "action",
    "iteration",
    "status",
    "attempts",
    "params",
    "output",
    "error",
    "change",
    "started_at",
    "ended_at",
    "duration_ms",
)

_RUN_JSON: Final = frozenset({"input", "output", "reasons"})
_STEP_JSON: Final = frozenset({"params", "output"})
_UNFINISHED: Final = ("queued", "running")
_FINAL: Final = ("succeeded", "failed", "cancelled", "interrupted")
_INTERRUPTED_ERROR: Final = (
    "found unfinished when the store was reopened; the process running it ended"
)
_LOCK_ENV: Final = "WFBENCH_LOCK_TIMEOUT"
_DEFAULT_LOCK_TIMEOUT: Final = 10.0

_DDL: Final = (
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS workflows (
        id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, description VARCHAR NOT NULL,
        type VARCHAR NOT NULL, enabled BOOLEAN NOT NULL, run_as VARCHAR NOT NULL,
        version INTEGER NOT NULL, deleted BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
        deleted_at TIMESTAMPTZ)""",
    """CREATE TABLE IF NOT EXISTS workflow_versions (
        workflow_id VARCHAR NOT NULL, version INTEGER NOT NULL, name VARCHAR NOT NULL,
        definition JSON NOT NULL, saved_at TIMESTAMPTZ NOT NULL, saved_by VARCHAR,
        PRIMARY KEY (workflow_id, version))""",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR NOT NULL, workflow_id VARCHAR, workflow VARCHAR, version INTEGER,
        status VARCHAR NOT NULL, input JSON, output JSON, error VARCHAR, reasons JSON,
        run_as VARCHAR, started_by VARCHAR, dry_run BOOLEAN NOT NULL DEFAULT false,
        idempotency_key VARCHAR, rerun_of VARCHAR, started_at TIMESTAMPTZ,
        ended_at TIMESTAMPTZ, duration_ms DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS steps (
        run_id VARCHAR NOT NULL, seq INTEGER NOT NULL, node VARCHAR, path VARCHAR,
        kind VARCHAR, action VARCHAR, iteration INTEGER, status VARCHAR NOT NULL,
        attempts INTEGER, params JSON, output JSON, error VARCHAR, change VARCHAR,
        started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ, duration_ms DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS connectors (
        name VARCHAR PRIMARY KEY, base_url VARCHAR NOT NULL, auth VARCHAR NOT NULL,
        username_env VARCHAR, password_env VARCHAR, token_env VARCHAR,
        header_name VARCHAR, timeout_s DOUBLE NOT NULL)""",
    # Custom roles, so every process on the file knows them (built-ins live in code).
    """CREATE TABLE IF NOT EXISTS roles (
        name VARCHAR PRIMARY KEY, permissions JSON NOT NULL, description VARCHAR NOT NULL)""",
    # HTTP API keys: only the SHA-256 of each key is kept (see Store.create_api_key).
    """CREATE TABLE IF NOT EXISTS api_keys (
        key_hash VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, role VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL, last_used_at TIMESTAMPTZ,
        revoked BOOLEAN NOT NULL DEFAULT false, revoked_at TIMESTAMPTZ)""",
)

_TS: Final = pa.timestamp("us", tz="UTC")
_STEP_SCHEMA: Final = pa.schema(
    [
        ("run_id", pa.string()),
        ("seq", pa.int32()),
        ("node", pa.string()),
        ("path", pa.string()),
        ("kind", pa.string()),
        ("action", pa.string()),
        ("iteration", pa.int32()),
        ("status", pa.string()),
        ("attempts", pa.int32()),
        ("params", pa.string()),
        ("output", pa.string()),
        ("error", pa.string()),
        ("change", pa.string()),
        ("started_at", _TS),
        ("ended_at", _TS),
        ("duration_ms", pa.float64()),
    ]
)

_KEY_COLUMNS: Final = "name, role, created_at, last_used_at, revoked"
_KEY_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_KEY_PREFIX: Final = "wfb_"
#: ``last_used_at`` is written at most this often per key, so a busy key does not
#: turn every request into a write on one row.
_KEY_TOUCH_S: Final = 30.0

_WF_COLUMNS: Final = "id, name, description, enabled, version, run_as, created_at, updated_at"

# Runs being executed in this process, per store file: a second Store on the
# same file in this process must not mark them interrupted.
_ACTIVE_RUNS: dict[str, set[str]] = {}
_ACTIVE_LOCK = threading.Lock()


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


@dataclass(frozen=True)
class ApiKey:
    """An HTTP API key as the store knows it: never the key itself, only its facts."""

    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _default_ids(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(5)}"


def _default_clock() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _encode(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str, ensure_ascii=False)


def _decode(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return json.loads(value)


def _lock_timeout_from_env() -> float:
    raw = os.environ.get(_LOCK_ENV)
    if raw is None or not raw.strip():
        return _DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise WfbenchError(
            f"${_LOCK_ENV} must be a number of seconds, not {raw!r}; fix or unset it"
        ) from None
    return max(value, 0.0)


def _process_cmdline(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    text = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    return text[:200] or None


def _in_transaction(cur: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``cur`` has an explicit transaction open.

    DuckDB has no flag for it, and a refused ``BEGIN`` aborts the open
    transaction; but in autocommit mode every statement gets a new id.
    """
    first = cur.execute("SELECT txid_current()").fetchone()
    second = cur.execute("SELECT txid_current()").fetchone()
    return first == second


def _check_keys(record: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(record) - set(allowed))
    if unknown:
        raise ValueError(
            f"{what} got unknown field(s) {', '.join(unknown)}; known: {', '.join(allowed)}"
        )


class Store:
    """Definitions, versions, runs and steps in one DuckDB database.

    ``path`` is a file (created with its tables when missing) or ``":memory:"``.
    ``lock_timeout`` bounds the wait for a file another process holds; when
    ``None`` it is ``$WFBENCH_LOCK_TIMEOUT`` or 10 seconds. ``clock`` and ``ids``
    make timestamps and new ids repeatable in tests (``ids("wf")`` gives a new
    workflow id).

    Every public method opens a :meth:`session` itself; wrap several calls in
    one session to hold the file across them.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        lock_timeout: float | None = None,
        clock: Callable[[], datetime] | None = None,
        ids: Callable[[str], str] | None = None,
    ) -> None:
        self._memory = str(path) in (":memory:", "")
        self.path: str = ":memory:" if self._memory else str(Path(path).expanduser().resolve())
        self.lock_timeout = _lock_timeout_from_env() if lock_timeout is None else lock_timeout
        self._clock = clock or _default_clock
        self._ids = ids or _default_ids
        self._lock = threading.RLock()
        self._definitions: dict[tuple[str, int], Workflow] = {}  # (id, version) -> parsed
        self._write_lock = threading.RLock()
        self._depth = 0
        self._generation = 0
        self._con: duckdb.DuckDBPyConnection | None = None
        self._cursors: weakref.WeakKeyDictionary[
            threading.Thread, tuple[int, duckdb.DuckDBPyConnection]
        ] = weakref.WeakKeyDictionary()
        self._opened_once = False
        self._active: set[str] = set()
        self._closed = False

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ sessions

    @contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the database open for the block; yields this thread's cursor.

        Re-entrant and shared by threads: the connection opens when the first
        session starts and (for a file) closes when the last one ends.
        """
        with self._lock:
            if self._closed:
                raise WfbenchError(f"the store {self.path} was closed; create a new Store")
            if self._con is None:
                self._con = self._connect()
                self._generation += 1
            self._depth += 1
            try:
                if not self._opened_once:
                    self._opened_once = True
                    self.initialize()
                    self._mark_interrupted()
            except BaseException:
                self._opened_once = False
                self._release()
                raise
        try:
            yield self.cursor()
        finally:
            with self._lock:
                self._release()

    def _release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and not self._memory:
            self._disconnect()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor of the open connection; valid only inside :meth:`session`."""
        with self._lock:
            if self._con is None or self._depth == 0:
                raise RuntimeError("Store.cursor() is only valid inside `with store.session():`")
            thread = threading.current_thread()
            held = self._cursors.get(thread)
            if held is not None and held[0] == self._generation:
                return held[1]
            cur = self._con.cursor()
            cur.execute("SET TimeZone = 'UTC'")
            self._cursors[thread] = (self._generation, cur)
            return cur

    def new_cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of the open connection that the caller owns (and closes), for work with
        its own transaction on any thread, such as a run's batch. Only inside :meth:`session`.
        """
        cur = self.cursor().cursor()
        cur.execute("SET TimeZone = 'UTC'")
        return cur

    def close(self) -> None:
        """Close the connection and forget the runs this store had not finished.

        Those runs are marked ``interrupted`` the next time any store opens the file.
        """
        with self._lock:
            self._disconnect()
            self._closed = True
            self._depth = 0
        self._forget_active()

    def _disconnect(self) -> None:
        for _, cur in list(self._cursors.values()):
            cur.close()
        self._cursors.clear()
        if self._con is not None:
            self._con.close()
            self._con = None

    def _connect(self) -> duckdb.DuckDBPyConnection:
        if self._memory:
            con = duckdb.connect(":memory:")
            con.execute("SET TimeZone = 'UTC'")
            return con
        start = time.monotonic()
        delay = 0.01
        while True:
            try:
                return duckdb.connect(self.path)
            except duckdb.IOException as exc:
                if "Could not set lock" not in str(exc):
                    raise self._open_error(exc) from exc
                waited = time.monotonic() - start
                left = self.lock_timeout - waited
                if left <= 0:
                    raise self._busy(str(exc), waited) from exc
                time.sleep(min(delay, left))
                delay = min(delay * 2, 0.2)
            except duckdb.Error as exc:
                raise self._open_error(exc) from exc

    def _busy(self, message: str, waited: float) -> StoreBusy:
        match = re.search(r"\(PID (\d+)\)", message)
        if match:
            pid = int(match.group(1))
            cmd = _process_cmdline(pid)
            who = f"process {pid}" + (f" ({cmd})" if cmd else "")
        else:
            who = "another process"
        return StoreBusy(
            f"the store {self.path} is in use by {who} (waited {waited:.1f} s); wait for it "
            f"to finish, stop it, or raise the wait with lock_timeout / ${_LOCK_ENV}"
        )

    def _open_error(self, exc: duckdb.Error) -> WfbenchError:
        text = str(exc)
        if "not a valid DuckDB database" in text:
            hint = "it is not a wfbench store (not a DuckDB database); choose another path"
        elif "No such file or directory" in text:
            hint = "its folder does not exist; create the folder or choose another path"
        elif "Permission denied" in text or "Read-only file system" in text:
            hint = "this process may not write it; fix its permissions or choose another path"
        else:
            hint = f"{text}; check the path or choose another one"
        return WfbenchError(f"cannot open the store {self.path}: {hint} (--db / $WFBENCH_DB)")

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A transaction on this thread's cursor, or the caller's if one is open."""
        cur = self.cursor()
        if _in_transaction(cur):
            yield cur  # the caller's transaction: the caller commits or rolls back
            return
        cur.begin()
        try:
            yield cur
        except BaseException:
            cur.rollback()
            raise
        cur.commit()

    # ------------------------------------------------------------------ schema

    def initialize(self) -> None:
        """Create every table that is missing (idempotent); refuse a newer schema."""
        with self.session() as cur:
            with self._transaction():
                for ddl in _DDL:
                    cur.execute(ddl)
                row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if row is None:
                    cur.execute(
                        "INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
                    )
                elif int(row[0]) > SCHEMA_VERSION:
                    raise WfbenchError(
                        f"the store {self.path} has schema version {row[0]}, newer than this "
                        f"wfbench understands ({SCHEMA_VERSION}); upgrade wfbench"
                    )
            try:
                directory = importlib.import_module("wfbench.directory")
            except ImportError:  # written in parallel; until it exists there is nothing to create
                return
            create = getattr(directory, "create_directory", None)
            if callable(create):
                create(cur)

    def _mark_interrupted(self) -> None:
        with _ACTIVE_LOCK:
            active = sorted(self._active | _ACTIVE_RUNS.get(self.path, set()))
        with self.session() as cur:
            cur.execute(
                "UPDATE runs SET status = 'interrupted', error = ? "
                "WHERE status IN ('queued', 'running') AND NOT list_contains(?, run_id)",
                [_INTERRUPTED_ERROR, active],
            )

    def _now(self) -> datetime:
        now = _utc(self._clock())
        assert now is not None
        return now

    def _remember_active(self, run_id: str) -> None:
        self._active.add(run_id)
        if not self._memory:
            with _ACTIVE_LOCK:
                _ACTIVE_RUNS.setdefault(self.path, set()).add(run_id)

    def _forget_active(self, run_id: str | None = None) -> None:
        gone = set(self._active) if run_id is None else {run_id}
        self._active -= gone
        if not self._memory:
            with _ACTIVE_LOCK:
                left = _ACTIVE_RUNS.get(self.path, set()) - gone
                if left:
                    _ACTIVE_RUNS[self.path] = left
                else:
                    _ACTIVE_RUNS.pop(self.path, None)

    # ------------------------------------------------------------------ definitions

    def save_definition(
        self, workflow: Workflow, *, workflow_id: str | None = None, saved_by: str = "notebook"
    ) -> WorkflowInfo:
        """Save ``workflow`` as a new version (1 for a new workflow) and return its info.

        Without ``workflow_id`` a new workflow is created, enabled; with it, that
        workflow gets a new version and may be renamed. Names are unique,
        ignoring case and surrounding spaces, among workflows not deleted.
        """
        text = dump_workflow(workflow)
        now = self._now()
        with self._write_lock, self.session(), self._transaction() as cur:
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
            return self._info(cur, workflow_id)

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
            raise WfbenchError(
                f"a workflow named {row[0]!r} already exists (names ignore case); open the "
                "existing one to change it, or choose another name"
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
            # At most two rows (one by id, one by name); an ORDER BY here doubled the cost.
            rows = cur.execute(
                f"SELECT {_WF_COLUMNS} FROM workflows WHERE NOT deleted "
                "AND (id = ? OR lower(trim(name)) = lower(trim(?)))",
                [ref, ref],
            ).fetchall()
        if not rows:
            return None
        return _to_info(next((r for r in rows if r[0] == ref), rows[0]))

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

    def list_workflows(self) -> pd.DataFrame:
        """The overview: one row per workflow, ordered by name.

        ``last_run_*`` and ``run_count`` count every run in history, rejected
        starts included.
        """
        with self.session() as cur:
            return cur.execute(
                """
                WITH ranked AS (
                    SELECT workflow_id, status, started_at,
                           count(*) OVER (PARTITION BY workflow_id) AS run_count,
                           row_number() OVER (PARTITION BY workflow_id
                                              ORDER BY started_at DESC, rowid DESC) AS rn
                    FROM runs)
                SELECT w.id, w.name, w.type, w.enabled, w.run_as, w.version,
                       r.status AS last_run_status, r.started_at AS last_run_at,
                       coalesce(r.run_count, 0) AS run_count, w.updated_at
                FROM workflows w LEFT JOIN ranked r ON r.workflow_id = w.id AND r.rn = 1
                WHERE NOT w.deleted
                ORDER BY lower(w.name), w.name
                """
            ).df()

    def set_enabled(self, ref: str, enabled: bool) -> WorkflowInfo:
        """Enable or disable a workflow (no new version: the definition is unchanged)."""
        with self.session() as cur:
            info = self.get_workflow(ref)
            cur.execute(
                "UPDATE workflows SET enabled = ?, updated_at = ? WHERE id = ?",
                [enabled, self._now(), info.id],
            )
            return self._info(cur, info.id)

    def delete_workflow(self, ref: str) -> None:
        """Mark the workflow deleted: its name is free again; versions and runs stay."""
        with self.session() as cur:
            info = self.get_workflow(ref)
            now = self._now()
            cur.execute(
                "UPDATE workflows SET deleted = true, deleted_at = ?, updated_at = ? WHERE id = ?",
                [now, now, info.id],
            )

    # ------------------------------------------------------------------ runs

    def begin_run(
        self, run: Mapping[str, Any], *, con: duckdb.DuckDBPyConnection | None = None
    ) -> None:
        """Record a run that starts now (``running``, or ``queued``) and hold it as active.

        With ``con`` (from :meth:`new_cursor`) the row joins that cursor's transaction."""
        record = dict(run)
        record.setdefault("status", "running")
        if record["status"] not in _UNFINISHED:
            raise ValueError(f"begin_run takes status queued or running, not {record['status']!r}")
        self._insert_run(record, "begin_run", con)
        self._remember_active(str(record["run_id"]))

    def record_finished_run(
        self, run: Mapping[str, Any], *, con: duckdb.DuckDBPyConnection | None = None
    ) -> None:
        """Record in one row a run that ended before anything of it was written."""
        record = dict(run)
        if record.get("status") not in _FINAL:
            raise ValueError(
                f"record_finished_run takes a final status, not {record.get('status')!r}"
            )
        self._insert_run(record, "record_finished_run", con)

    def record_rejected(self, run: Mapping[str, Any]) -> str:
        """Keep a refused start in history (status ``rejected``); returns its run id.

        ``reasons`` is a list of ``{"pointer", "message"}`` (``(pointer, message)``
        pairs are accepted too). A missing ``run_id`` is made with ``ids("run")``.
        """
        record = dict(run)
        record["status"] = "rejected"
        record.setdefault("run_id", self._ids("run"))
        record["reasons"] = [
            r if isinstance(r, Mapping) else {"pointer": r[0], "message": r[1]}
            for r in record.get("reasons") or []
        ]
        record.setdefault("started_at", self._now())
        record.setdefault("ended_at", record["started_at"])
        record.setdefault("duration_ms", 0.0)
        self._insert_run(record, "record_rejected")
        return str(record["run_id"])

    def _insert_run(
        self, record: dict[str, Any], what: str, con: duckdb.DuckDBPyConnection | None = None
    ) -> None:
        _check_keys(record, RUN_FIELDS, what)
        if not record.get("run_id"):
            raise ValueError(f"{what} needs a run_id")
        record.setdefault("started_at", self._now())
        record["dry_run"] = bool(record.get("dry_run", False))
        values = []
        for field in RUN_FIELDS:
            value = record.get(field)
            if field in _RUN_JSON:
                value = _encode(value)
            elif isinstance(value, datetime):
                value = _utc(value)
            values.append(value)
        insert = (
            f"INSERT INTO runs ({', '.join(RUN_FIELDS)}) "
            f"VALUES ({', '.join('?' * len(RUN_FIELDS))})"
        )
        if con is not None:
            con.execute(insert, values)
            return
        with self.session() as cur:
            cur.execute(insert, values)

    def write_steps(
        self, steps: Sequence[Mapping[str, Any]], *, con: duckdb.DuckDBPyConnection | None = None
    ) -> None:
        """Append step records as one Arrow batch in one statement.

        Joins the caller's transaction if this thread's cursor (or ``con``, a cursor from
        :meth:`new_cursor`) has one open.
        ``params`` and ``output`` are stored as JSON; a ``change`` given as a
        list of strings is stored as one text, one change per line.
        """
        if not steps:
            return
        columns: dict[str, list[Any]] = {name: [] for name in STEP_FIELDS}
        for step in steps:
            _check_keys(step, STEP_FIELDS, "write_steps")
            status = step.get("status")
            if status not in STEP_STATUSES:
                raise ValueError(
                    f"step status must be one of {', '.join(STEP_STATUSES)}, not {status!r}"
                )
            for name in STEP_FIELDS:
                value = step.get(name)
                if name in _STEP_JSON:
                    value = _encode(value)
                elif name == "change" and isinstance(value, list | tuple):
                    value = "\n".join(str(v) for v in value) if value else None
                elif name in ("started_at", "ended_at"):
                    value = _utc(value)
                columns[name].append(value)
        # DuckDB reads the local variable by its name (a replacement scan): one statement.
        _wfbench_step_batch = pa.Table.from_pydict(columns, schema=_STEP_SCHEMA)
        insert = f"INSERT INTO steps ({', '.join(STEP_FIELDS)}) SELECT * FROM _wfbench_step_batch"
        if con is not None:
            con.execute(insert)
            return
        with self.session() as cur:
            cur.execute(insert)

    def finish_run(
        self,
        run_id: str,
        *,
        status: str,
        output: Any,
        error: str | None,
        ended_at: datetime,
        duration_ms: float,
        con: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        """Record how a run ended and stop holding it as active (in ``con``'s transaction
        when given)."""
        if status not in _FINAL:
            raise ValueError(f"finish_run takes status {', '.join(_FINAL)}, not {status!r}")
        update = (
            "UPDATE runs SET status = ?, output = ?, error = ?, ended_at = ?, "
            "duration_ms = ? WHERE run_id = ?"
        )
        values = [status, _encode(output), error, _utc(ended_at), duration_ms, run_id]
        if con is not None:
            row = con.execute(update, values).fetchone()
        else:
            with self.session() as cur:
                row = cur.execute(update, values).fetchone()
        self._forget_active(run_id)
        if row is None or row[0] == 0:
            raise NotFound(f"no run {run_id!r} to finish; begin_run records it first")

    def find_run_by_idempotency_key(self, workflow_id: str, key: str) -> dict[str, Any] | None:
        """The newest run of ``workflow_id`` started with ``key``; rejected starts do not count."""
        with self.session() as cur:
            row = cur.execute(
                f"SELECT {', '.join(RUN_FIELDS)} FROM runs WHERE workflow_id = ? "
                "AND idempotency_key = ? AND status <> 'rejected' "
                "ORDER BY started_at DESC, rowid DESC LIMIT 1",
                [workflow_id, key],
            ).fetchone()
        return None if row is None else _run_record(row)

    def get_run(self, run_id: str) -> dict[str, Any]:
        """The run record with ``"steps"``: its step records ordered by ``seq``."""
        with self.session() as cur:
            row = cur.execute(
                f"SELECT {', '.join(RUN_FIELDS)} FROM runs WHERE run_id = ?", [run_id]
            ).fetchone()
            if row is None:
                raise NotFound(f"no run {run_id!r}; list runs with runs() or `wfbench runs`")
            steps = cur.execute(
                f"SELECT {', '.join(STEP_FIELDS)} FROM steps WHERE run_id = ? ORDER BY seq, rowid",
                [run_id],
            ).fetchall()
        record = _run_record(row)
        record["steps"] = [_step_record(s) for s in steps]
        return record

    def runs(
        self,
        *,
        workflow: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> pd.DataFrame:
        """Runs, newest first, optionally of one workflow (id or name) and one status."""
        where: list[str] = []
        params: list[Any] = []
        with self.session() as cur:
            if workflow is not None:
                where.append(self._workflow_filter(cur, workflow, params))
            if status is not None:
                if status not in RUN_STATUSES:
                    raise WfbenchError(
                        f"no run status {status!r}; use one of {', '.join(RUN_STATUSES)}"
                    )
                where.append("status = ?")
                params.append(status)
            query = f"SELECT {', '.join(RUN_FIELDS)} FROM runs"
            if where:
                query += " WHERE " + " AND ".join(where)
            query += " ORDER BY started_at DESC, rowid DESC"
            if limit is not None:
                query += " LIMIT ?"
                params.append(limit)
            if offset:
                query += " OFFSET ?"
                params.append(offset)
            frame = cur.execute(query, params).df()
        return _decode_frame(frame, _RUN_JSON)

    def _workflow_filter(self, cur: duckdb.DuckDBPyConnection, ref: str, params: list[Any]) -> str:
        info = self.find_workflow(ref)
        if info is not None:
            params.append(info.id)
            return "workflow_id = ?"
        known = cur.execute(
            "SELECT 1 FROM workflows WHERE id = ? OR lower(trim(name)) = lower(trim(?)) "
            "UNION ALL SELECT 1 FROM runs WHERE workflow_id = ? "
            "OR lower(trim(workflow)) = lower(trim(?)) LIMIT 1",
            [ref, ref, ref, ref],
        ).fetchone()
        if known is None:
            self.get_workflow(ref)  # raises NotFound naming the known workflows
        params += [ref, ref]
        return "(workflow_id = ? OR lower(trim(workflow)) = lower(trim(?)))"

    def steps(self, run_id: str) -> pd.DataFrame:
        """One run's steps ordered by ``seq``, JSON decoded; :class:`NotFound` for no such run."""
        with self.session() as cur:
            if cur.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone() is None:
                raise NotFound(f"no run {run_id!r}; list runs with runs() or `wfbench runs`")
            frame = cur.execute(
                f"SELECT {', '.join(STEP_FIELDS)} FROM steps WHERE run_id = ? ORDER BY seq, rowid",
                [run_id],
            ).df()
        return _decode_frame(frame, _STEP_JSON)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any SQL over the store's tables, as a DataFrame (JSON columns left as text)."""
        with self.session() as cur:
            try:
                result = cur.execute(query, params)
            except duckdb.Error as exc:
                raise WfbenchError(f"the query failed: {exc}") from exc
            if result.description is None:
                return pd.DataFrame()
            return result.df()

    # ------------------------------------------------------------------ API keys

    def create_api_key(self, name: str, role: str) -> str:
        """Make a key for the HTTP API and return it; only its hash is stored.

        The key (``wfb_`` and 32 random bytes, URL-safe base64) is returned once
        and cannot be read back. Keys are high-entropy random strings, so a plain
        SHA-256 is enough to keep them: a slow password hash guards against
        guessing low-entropy secrets, which these are not. ``name`` (letters,
        digits, ``.``, ``_``, ``-``) is unique among keys not revoked and is what
        run history records (``started_by = "api:<name>"``).
        """
        if role not in API_KEY_ROLES:
            raise WfbenchError(f"no API key role {role!r}; use one of {', '.join(API_KEY_ROLES)}")
        if not _KEY_NAME.fullmatch(name):
            raise WfbenchError(
                f"the key name {name!r} is not allowed; use 1 to 64 letters, digits, '.', "
                "'_' or '-', starting with a letter or digit"
            )
        key = _KEY_PREFIX + secrets.token_urlsafe(32)
        with self._write_lock, self.session(), self._transaction() as cur:
            taken = cur.execute(
                "SELECT 1 FROM api_keys WHERE name = ? AND NOT revoked", [name]
            ).fetchone()
            if taken is not None:
                raise WfbenchError(
                    f"an API key named {name!r} exists; revoke it first "
                    f"(wfbench apikey revoke {name}) or choose another name"
                )
            cur.execute(
                "INSERT INTO api_keys (key_hash, name, role, created_at) VALUES (?, ?, ?, ?)",
                [_key_hash(key), name, role, self._now()],
            )
        return key

    def api_keys(self) -> list[ApiKey]:
        """Every API key, revoked ones included, oldest first (never the key itself)."""
        with self.session() as cur:
            rows = cur.execute(
                f"SELECT {_KEY_COLUMNS} FROM api_keys ORDER BY created_at, name"
            ).fetchall()
        return [_to_key(row) for row in rows]

    def revoke_api_key(self, name: str) -> ApiKey:
        """Revoke the active key called ``name``: it stops working at once, and stays listed."""
        with self._write_lock, self.session() as cur:
            row = cur.execute(
                "UPDATE api_keys SET revoked = true, revoked_at = ? "
                f"WHERE name = ? AND NOT revoked RETURNING {_KEY_COLUMNS}",
                [self._now(), name],
            ).fetchone()
            if row is None:
                names = sorted(
                    {
                        r[0]
                        for r in cur.execute(
                            "SELECT name FROM api_keys WHERE NOT revoked"
                        ).fetchall()
                    }
                )
                known = ", ".join(names) if names else "none"
                raise NotFound(f"no active API key named {name!r}; active keys: {known}")
        return _to_key(row)

    def verify_api_key(self, key: str) -> ApiKey | None:
        """The key's facts if ``key`` is a key that is not revoked, else ``None``.

        Notes the use in ``last_used_at`` (at most every 30 seconds per key).
        """
        if not key.startswith(_KEY_PREFIX) or len(key) > 200:
            return None
        digest = _key_hash(key)
        with self.session() as cur:
            row = cur.execute(
                f"SELECT {_KEY_COLUMNS} FROM api_keys WHERE key_hash = ? AND NOT revoked",
                [digest],
            ).fetchone()
            if row is None:
                return None
            found = _to_key(row)
            now = self._now()
            last = found.last_used_at
            if last is None or (now - last).total_seconds() >= _KEY_TOUCH_S:
                try:
                    cur.execute(
                        "UPDATE api_keys SET last_used_at = ? WHERE key_hash = ?", [now, digest]
                    )
                except duckdb.TransactionException:
                    pass  # another request noted the same use at the same moment
                else:
                    found = ApiKey(found.name, found.role, found.created_at, now, found.revoked)
        return found

    # ------------------------------------------------------------------ connectors

    def save_role(self, name: str, permissions: Sequence[str], description: str = "") -> None:
        """Save (or replace) a custom role."""
        with self.session() as cur:
            cur.execute(
                "INSERT OR REPLACE INTO roles (name, permissions, description) VALUES (?, ?, ?)",
                [name, json.dumps(sorted(permissions)), description],
            )

    def custom_roles(self) -> list[tuple[str, list[str], str]]:
        """Every saved custom role: ``(name, permissions, description)``."""
        with self.session() as cur:
            rows = cur.execute("SELECT name, permissions, description FROM roles ORDER BY name")
            return [(n, json.loads(p), d) for n, p, d in rows.fetchall()]

    def save_connector(self, connector: Connector) -> None:
        """Save (or replace) a connector; it holds names of environment variables, no secrets."""
        values = asdict(connector)
        names = list(values)
        with self.session() as cur:
            cur.execute(
                f"INSERT OR REPLACE INTO connectors ({', '.join(names)}) "
                f"VALUES ({', '.join('?' * len(names))})",
                [values[n] for n in names],
            )

    def connectors(self) -> dict[str, Connector]:
        """Every saved connector by name."""
        with self.session() as cur:
            result = cur.execute("SELECT * FROM connectors ORDER BY name")
            names = [d[0] for d in result.description or []]
            rows = result.fetchall()
        return {row[0]: Connector(**dict(zip(names, row, strict=True))) for row in rows}


def _to_info(row: tuple[Any, ...]) -> WorkflowInfo:
    wid, name, description, enabled, version, run_as, created, updated = row
    return WorkflowInfo(
        id=wid,
        name=name,
        description=description,
        enabled=bool(enabled),
        version=int(version),
        run_as=run_as,
        created_at=_utc(created) or created,
        updated_at=_utc(updated) or updated,
    )


def _to_key(row: tuple[Any, ...]) -> ApiKey:
    name, role, created, last_used, revoked = row
    return ApiKey(
        name=name,
        role=role,
        created_at=_utc(created) or created,
        last_used_at=_utc(last_used),
        revoked=bool(revoked),
    )


def _run_record(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(RUN_FIELDS, row, strict=True))
    for name in _RUN_JSON:
        record[name] = _decode(record[name])
    for name in ("started_at", "ended_at"):
        record[name] = _utc(record[name])
    return record


def _step_record(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(STEP_FIELDS, row, strict=True))
    for name in _STEP_JSON:
        record[name] = _decode(record[name])
    for name in ("started_at", "ended_at"):
        record[name] = _utc(record[name])
    return record


def _decode_frame(frame: pd.DataFrame, json_columns: frozenset[str]) -> pd.DataFrame:
    for name in json_columns:
        frame[name] = pd.Series([_decode(v) for v in frame[name]], index=frame.index, dtype=object)
    return frame
