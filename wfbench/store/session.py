"""The store's hold on its DuckDB file: connection, turns between processes, schema.

DuckDB lets one process hold a file read-write and then refuses every other
process, even read-only. So a file-backed store opens its connection on demand
and closes it when the outermost :meth:`StoreSession.session` exits: a one-off
call holds the file only for that call, and a caller who wants to hold it across
many calls wraps them in one ``with store.session():``. A store that finds the
file held waits up to ``lock_timeout``
seconds, then raises :class:`~wfbench.errors.StoreBusy` naming the process that
holds it. Processes wait their turn in a first-come, first-served line
(:mod:`wfbench.store.turns`), woken by the kernel when the one ahead lets go.
``":memory:"`` keeps one connection for the store's life.

Transactions go through :func:`wfbench.transactions.transaction`, the helper the
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
from wfbench.errors import (
    BadArgument,
    StoreBusy,
    StoreClosed,
    StoreTooNew,
    UsageError,
)
from wfbench.model import Workflow
from wfbench.printable import printable
from wfbench.store.ready import is_ready
from wfbench.store.schema import DDL, SCHEMA_VERSION, migrate
from wfbench.store.turns import line_for
from wfbench.transactions import transaction

_INTERRUPTED_ERROR: Final = (
    "found unfinished when the store was reopened; the process running it ended"
)
_LOCK_ENV: Final = "WFBENCH_LOCK_TIMEOUT"
#: How often a store kept open while idle (keep_open) checks whether to let go.
_IDLE_CHECK_S: Final = 0.01
_DEFAULT_LOCK_TIMEOUT: Final = 10.0

# Runs being executed in this process, per store file: a second Store on the
# same file in this process must not mark them interrupted.
_ACTIVE_RUNS: dict[str, set[str]] = {}
_ACTIVE_LOCK = threading.Lock()
# Bumped by every change to a file's workflows made in this process: a store's cached
# workflow look-ups are good while its connection stays open (no other process can write
# then) and this count has not moved.
_DEFINITION_EPOCHS: dict[str, int] = {}


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
        raise BadArgument(
            f"${_LOCK_ENV} must be a number of seconds, not {raw!r}; fix or unset it"
        ) from None
    return max(value, 0.0)


def _process_cmdline(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    text = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    # Another program's arguments: shown escaped (no control or bidi characters reach a
    # terminal or a log through a message) and cut.
    return printable(text)[:200] or None


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
        self._handed = threading.Condition(self._lock)  # notified when the file is let go
        self._pinned = -1  # a generation a caller holds on to (no hand-over to wait for)
        self._warm = 0  # see warm()
        self._definitions: dict[tuple[str, int], Workflow] = {}  # (id, version) -> parsed
        self._write_lock = threading.RLock()
        self._depth = 0
        self._generation = 0
        self._con: duckdb.DuckDBPyConnection | None = None
        self._cursors: weakref.WeakKeyDictionary[
            threading.Thread, tuple[int, duckdb.DuckDBPyConnection]
        ] = weakref.WeakKeyDictionary()
        self._pool: list[tuple[int, duckdb.DuckDBPyConnection]] = []  # idle run cursors
        self._kept: weakref.WeakKeyDictionary[object, duckdb.DuckDBPyConnection] = (
            weakref.WeakKeyDictionary()
        )  # see kept_cursor
        self._lookups: dict[str, Any] = {}  # ref -> WorkflowInfo | None, see lookup_stamp
        self._lookups_stamp: tuple[int, int] = (-1, -1)
        self._no_cache = -1  # a generation whose look-ups are not cached
        self.linger = 0.0  # see keep_open
        self._idle_since = 0.0
        self._watcher: threading.Thread | None = None
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
    def session(self, *, turn: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the database open for the block; yields this thread's cursor.

        Re-entrant and shared by threads: the connection opens when the first
        session starts and (for a file) closes when the last one ends.

        ``turn``: the block is a new piece of work (an HTTP request, a batch's row) that
        waits its turn: when another process is in line for the file, it does not join
        the sessions going on but waits until they have ended and the file was handed
        over, then queues behind that process (:meth:`_await_hand_over`). Never nest a
        turn inside a session of the same work: it would wait for itself (up to the
        lock timeout, then join).
        """
        if turn:
            self._await_hand_over()
        with self._lock:
            if self._closed:
                raise StoreClosed(f"the store {self.path} was closed; create a new Store")
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

    def _await_hand_over(self) -> None:
        """Fair turns: while the file is open in this process and another process is in
        line, wait (at most the lock timeout) for the sessions going on to end; the last
        one out lets go of the file (:meth:`_release`), which wakes the one in line."""
        if self._memory:
            return
        deadline = time.monotonic() + self.lock_timeout
        with self._lock:
            generation = self._generation
            while (
                self._con is not None
                and self._generation == generation
                and self._pinned != generation
                and line_for(self.path).others_waiting()
            ):
                if self._depth == 0:  # open only while idle (keep_open, warm): let go now
                    self._disconnect()
                    return
                left = deadline - time.monotonic()
                if left <= 0:  # held on to by a caller's own session: join it
                    self._pinned = generation
                    return
                self._handed.wait(min(left, 0.05))  # re-checks others_waiting meanwhile

    @contextmanager
    def warm(self) -> Iterator[None]:
        """Keep the file open between the sessions of the block (a batch's runs) unless
        another process is in line for it, as :meth:`keep_open` does for a server."""
        with self._lock:
            self._warm += 1
        try:
            yield
        finally:
            with self._lock:
                self._warm -= 1
                idle = self._warm == 0 and self._depth == 0 and self.linger <= 0
                if idle and not self._memory:  # in memory: its one connection is the store
                    self._disconnect()

    def _release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and not self._memory:
            lingers = self.linger > 0 or self._warm > 0
            if lingers and not line_for(self.path).others_waiting():
                self._idle_since = time.monotonic()
                self._watch_idle()
            else:
                self._disconnect()

    def keep_open(self, seconds: float) -> None:
        """Keep the file open up to ``seconds`` after the last session ends, so that a
        server answering request after request opens it once; let go at once when
        another process is in line for it (checked every :data:`_IDLE_CHECK_S`)."""
        self.linger = max(float(seconds), 0.0)

    def _watch_idle(self) -> None:
        if self._watcher is not None and self._watcher.is_alive():
            return
        # Not a daemon: at exit the interpreter waits for it (at most the linger) rather than
        # stopping it inside DuckDB.
        self._watcher = threading.Thread(target=self._close_when_idle, daemon=False)
        self._watcher.name = "wfbench-store-idle"
        self._watcher.start()

    def _close_when_idle(self) -> None:
        line = line_for(self.path)
        while True:
            time.sleep(_IDLE_CHECK_S)
            with self._lock:
                if self._con is None:
                    return
                if self._depth > 0:
                    continue
                idle = time.monotonic() - self._idle_since
                done = idle >= self.linger and self._warm == 0
                if done or line.others_waiting() or self._closed:
                    self._disconnect()
                    return

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

    def run_cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one run's own transactions, reused from an earlier run when one is
        idle (its settings made once); give it back with :meth:`return_cursor`."""
        with self._lock:
            while self._pool:
                generation, cur = self._pool.pop()
                if generation == self._generation:
                    return cur
        return self.new_cursor()

    def return_cursor(self, cur: duckdb.DuckDBPyConnection) -> None:
        """Take back a cursor of :meth:`run_cursor`, outside any transaction."""
        with self._lock:
            if self._con is not None and self._depth > 0 and len(self._pool) < 8:
                self._pool.append((self._generation, cur))
                return
        cur.close()

    def kept_cursor(self, owner: object) -> duckdb.DuckDBPyConnection:
        """A cursor ``owner`` keeps while the file stays open (a batch's group commit keeps
        its appenders on it): the same one at every call until the connection closes, which
        closes it too (a cursor left open would keep DuckDB's hold on the file after the
        store let go). Only inside :meth:`session`; compare with ``is`` to know whether it
        is a new one."""
        with self._lock:
            cur = self._kept.get(owner)
            if cur is None:
                cur = self._kept[owner] = self.new_cursor()
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
        for _, cur in self._pool:
            cur.close()
        self._pool.clear()
        for cur in list(self._kept.values()):
            cur.close()
        self._kept.clear()
        if self._con is not None:
            self._con.close()
            self._con = None
            if not self._memory:
                line_for(self.path).release()  # the next process in line goes
            self._handed.notify_all()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        if self._memory:
            con = duckdb.connect(":memory:")
            con.execute("SET TimeZone = 'UTC'")
            return con
        start = time.monotonic()
        line = line_for(self.path)
        if not line.acquire(self.lock_timeout):  # our turn did not come
            raise self._busy_now(time.monotonic() - start)
        try:
            return self._connect_in_turn(start)
        except BaseException:
            line.release()
            raise

    def _connect_in_turn(self, start: float) -> duckdb.DuckDBPyConnection:
        """Open the file once this process's turn has come (a process outside the line,
        such as the DuckDB shell, may still hold it: retry until the wait is over)."""
        delay = 0.005
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
                delay = min(delay * 2, 0.1)
            except duckdb.Error as exc:
                raise self._open_error(exc) from exc

    def _busy_now(self, waited: float) -> StoreBusy:
        """StoreBusy naming the holder if DuckDB says who it is."""
        try:
            duckdb.connect(self.path).close()
        except duckdb.Error as exc:
            return self._busy(str(exc), waited)
        return self._busy("", waited)

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
        """Create every table that is missing (idempotent); refuse a newer schema. A file
        that has them all at this version is left as it is (:func:`is_ready`)."""
        with self.session() as cur:
            if is_ready(cur):
                return
            with self._transaction():
                for ddl in DDL:
                    cur.execute(ddl)
                row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if row is None:
                    cur.execute(
                        "INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
                    )
                elif int(row[0]) > SCHEMA_VERSION:
                    raise StoreTooNew(
                        f"the store {self.path} has schema version {row[0]}, newer than this "
                        f"wfbench understands ({SCHEMA_VERSION}); upgrade wfbench"
                    )
                elif int(row[0]) < SCHEMA_VERSION:
                    migrate(cur, int(row[0]))
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

    # ------------------------------------------------------------------ look-up cache

    def lookup_stamp(self) -> tuple[int, int]:
        """What cached look-ups are good for: this connection and no change since."""
        return self._generation, _DEFINITION_EPOCHS.get(self.path, 0)

    def definitions_changed(self, *, uncommitted: bool = False) -> None:
        """Forget cached look-ups of this file (before and after a change to workflows).

        ``uncommitted``: the change joined a transaction its caller may roll back; cache
        nothing more until the file is next opened."""
        with _ACTIVE_LOCK:
            _DEFINITION_EPOCHS[self.path] = _DEFINITION_EPOCHS.get(self.path, 0) + 1
        if uncommitted:
            self._no_cache = self._generation

    def cached_lookup(self, ref: str, stamp: tuple[int, int]) -> tuple[bool, Any]:
        if stamp == self._lookups_stamp and ref in self._lookups:
            return True, self._lookups[ref]
        return False, None

    def cache_lookup(self, ref: str, value: Any, stamp: tuple[int, int]) -> None:
        """Keep ``value`` for ``ref`` if nothing changed since ``stamp`` was taken."""
        if self.lookup_stamp() != stamp or self._no_cache == self._generation:
            return
        if self._lookups_stamp != stamp or len(self._lookups) > 1000:
            self._lookups, self._lookups_stamp = {}, stamp
        self._lookups[ref] = value

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
