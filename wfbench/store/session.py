"""The store's hold on its DuckDB file: connection, turns between processes, schema.

DuckDB lets one process hold a file read-write and then refuses every other
process, even read-only. So a file-backed store opens its connection on demand
and closes it when the outermost :meth:`StoreSession.session` exits: a one-off
call holds the file only for that call, and a caller who wants to hold it across
many calls wraps them in one ``with store.session():``. A store that finds the
file held waits (backing off from 10 ms to 200 ms) up to ``lock_timeout``
seconds, then raises :class:`~wfbench.errors.StoreBusy` naming the process that
holds it. ``":memory:"`` keeps one connection for the store's life.

Transactions go through :func:`wfbench.sql.transaction`, the helper the
directory uses too.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import duckdb

from wfbench.directory import create_directory
from wfbench.errors import StoreBusy, UsageError, WfbenchError
from wfbench.model import Workflow
from wfbench.sql import transaction
from wfbench.store.schema import DDL, SCHEMA_VERSION

_INTERRUPTED_ERROR: Final = (
    "found unfinished when the store was reopened; the process running it ended"
)
_LOCK_ENV: Final = "WFBENCH_LOCK_TIMEOUT"
_DEFAULT_LOCK_TIMEOUT: Final = 10.0

# Runs being executed in this process, per store file: a second Store on the
# same file in this process must not mark them interrupted.
_ACTIVE_RUNS: dict[str, set[str]] = {}
_ACTIVE_LOCK = threading.Lock()


def _default_ids(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(5)}"


def _default_clock() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def encode(value: Any) -> str | None:
    if value is None:
        return None
    text = json.dumps(value, default=str, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (an action's output): U+FFFD, not a lost run
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def decode(value: Any) -> Any:
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


def check_keys(record: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(record) - set(allowed))
    if unknown:
        raise ValueError(
            f"{what} got unknown field(s) {', '.join(unknown)}; known: {', '.join(allowed)}"
        )


class StoreSession:
    """The connection and sessions of a store; the store's parts build on it.

    ``path`` is a file (created with its tables when missing) or ``":memory:"``.
    ``lock_timeout`` bounds the wait for a file another process holds; when
    ``None`` it is ``$WFBENCH_LOCK_TIMEOUT`` or 10 seconds. ``clock`` and ``ids``
    make timestamps and new ids repeatable in tests (``ids("wf")`` gives a new
    workflow id).
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

    def __enter__(self) -> StoreSession:
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

    def _open_error(self, exc: duckdb.Error) -> UsageError:
        text = str(exc)
        if "not a valid DuckDB database" in text:
            hint = "it is not a wfbench store (not a DuckDB database); choose another path"
        elif "No such file or directory" in text:
            hint = "its folder does not exist; create the folder or choose another path"
        elif "Permission denied" in text or "Read-only file system" in text:
            hint = "this process may not write it; fix its permissions or choose another path"
        else:
            hint = f"{text}; check the path or choose another one"
        # An unusable store path is an unreadable file (CLI exit 2), not a failed run.
        return UsageError(f"cannot open the store {self.path}: {hint} (--db / $WFBENCH_DB)")

    def _transaction(self) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A transaction on this thread's cursor, or the caller's if one is open."""
        return transaction(self.cursor())

    # ------------------------------------------------------------------ schema

    def initialize(self) -> None:
        """Create every table that is missing (idempotent); refuse a newer schema."""
        with self.session() as cur:
            with self._transaction():
                for ddl in DDL:
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
            create_directory(cur)

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
        now = utc(self._clock())
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
