"""What every part of :class:`~wfbench.directory.Directory` shares: the connection,
permissions, change notes, lookups and the rows-to-records helpers."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol, Self

import duckdb

from wfbench.actions.records import Device, Group, GroupRef, User
from wfbench.directory.schema import id_sequence
from wfbench.errors import ActionError, DirectoryMisuse, PermissionDenied
from wfbench.transactions import in_transaction

# helpers

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_EMPLOYEE_TYPES = ("employee", "contractor")
_UPDATABLE = (
    "first_name",
    "last_name",
    "email",
    "department",
    "employee_type",
    "manager_email",
)

_USER_COLUMNS = (
    "u.id, u.email, u.first_name, u.last_name, u.department, u.employee_type, "
    "u.manager_email, u.status, u.mfa_enrolled, u.created_at"
)
# One query gives users and their groups, sorted by name; SOURCE selects the users.
_USER_QUERY = f"""
SELECT {_USER_COLUMNS},
       list({{'id': g.id, 'name': g.name}} ORDER BY g.name, g.id)
           FILTER (WHERE g.id IS NOT NULL) AS groups
FROM (SOURCE) u
LEFT JOIN memberships m ON m.user_id = u.id
LEFT JOIN "groups" g ON g.id = m.group_id
GROUP BY ALL
ORDER BY u.id
"""


def _user_query(source: str) -> str:
    return _USER_QUERY.replace("SOURCE", source, 1)


_GROUP_QUERY = """
SELECT g.id, g.name, g.description,
       (SELECT count(*) FROM memberships m WHERE m.group_id = g.id)
FROM "groups" g WHERE {where}
"""
_DEVICE_COLUMNS = "id, name, os, owner_id, status, last_seen"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    """ISO-8601 UTC text for a stored (naive UTC) timestamp."""
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _email(value: str, what: str = "email") -> str:
    address = value.strip().lower()
    if not _EMAIL.match(address):
        raise ActionError(f"{what} {value!r} is not an email address (name@domain.tld)")
    return address


def _text(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise ActionError(f"{what} must not be empty")
    return text


def _user_from_row(row: tuple[Any, ...]) -> User:
    return User(
        id=row[0],
        email=row[1],
        first_name=row[2],
        last_name=row[3],
        department=row[4],
        employee_type=row[5],
        manager_email=row[6],
        status=row[7],
        mfa_enrolled=row[8],
        created_at=_iso(row[9]) or "",
        groups=[GroupRef(id=g["id"], name=g["name"]) for g in row[10] or ()],
    )


def _by_name(group: dict[str, str]) -> tuple[str, str]:
    return (group["name"], group["id"])


def _device_from_row(row: tuple[Any, ...]) -> Device:
    return Device(
        id=row[0],
        name=row[1],
        os=row[2],
        owner_id=row[3],
        status=row[4],
        last_seen=_iso(row[5]),
    )


class WriteWatcher(Protocol):
    """Told of every row the directory is about to write (a test case's change finder,
    :mod:`wfbench.testing.changes`): what it reads here is each row as it stood before."""

    def before(
        self, con: duckdb.DuckDBPyConnection, table: str, where: str, params: list[Any]
    ) -> None:
        """``UPDATE``/``DELETE`` of *table*'s rows matching ``WHERE where`` is next."""

    def created(self, table: str, key: tuple[Any, ...]) -> None:
        """A row with primary key *key* was just inserted into *table*."""


class DirectoryBase:
    """Read and change the embedded directory, within a set of permissions.

    *con* is a DuckDB connection or cursor holding the directory tables.
    *permissions* (``None``: unrestricted) are checked by every method before
    it does anything. *run_id* is recorded with the commands and emails this
    directory writes. *clock* gives "now" (an aware datetime, or a naive one
    taken as UTC) for timestamps; tests pass a fixed one.

    *dry_run* only words the changes ("would create user …"): the writes land
    on *con* all the same, so a dry run hands a connection whose transaction is
    rolled back at the end (:func:`~wfbench.directory.sandbox`). Later steps of
    the same dry run therefore see what earlier ones would have done, and
    nothing of it outlives the run. :attr:`changes` is this object's (and its
    :meth:`on` copies'). To use a directory from another thread, give that
    thread its own cursor with :meth:`on`.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        permissions: Iterable[str] | None = None,
        *,
        run_id: str | None = None,
        clock: Callable[[], datetime] | None = None,
        dry_run: bool = False,
        watcher: WriteWatcher | None = None,
    ) -> None:
        self._con = con
        #: Told of every write before it is made (``None``: nobody; only test cases watch).
        self._watcher = watcher
        self.permissions: frozenset[str] | None = (
            None if permissions is None else frozenset(permissions)
        )
        self.run_id = run_id
        self._clock = clock or _utc_now
        #: Every change made (or, in a dry run, that would be made), one line each, in order.
        self.changes: list[str] = []
        if dry_run and not in_transaction(con):
            raise DirectoryMisuse(
                "a dry run's directory writes for real unless its connection is inside a "
                "transaction that is rolled back; use wfbench.directory.sandbox(con)"
            )
        self.dry_run = dry_run
        self._changes_lock = threading.Lock()
        self._local = threading.local()
        self._group_cache: dict[str, str] = {}
        # Rows read inside the transaction the connection's owner holds open, by (table, id),
        # handed out again instead of read twice; see _hold_reads. Off until told.
        self._memo: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._memo_on = False
        self._epoch = 0  # counts _hold_reads calls: a row read across one is not kept

    def on(self, con: duckdb.DuckDBPyConnection) -> Self:
        """The same directory through another connection or cursor (for another thread).

        The copy shares permissions, run id, clock, dry-run wording and
        :attr:`changes` with this one.
        """
        other = type(self)(
            con,
            self.permissions,
            run_id=self.run_id,
            clock=self._clock,
            dry_run=self.dry_run,
            watcher=self._watcher,
        )
        other.changes = self.changes
        other._changes_lock = self._changes_lock
        other._group_cache = self._group_cache
        return other

    # -- plumbing -------------------------------------------------------------------------------

    def _require(self, doing: str, *needed: str) -> None:
        if self.permissions is None:
            return
        missing = [p for p in needed if p not in self.permissions]
        if missing:
            them = "it" if len(missing) == 1 else "them"
            raise PermissionDenied(
                f"{doing} needs {', '.join(missing)}, which the run-as role lacks; "
                f"choose a role that has {them} (`wfbench roles`)"
            )

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is not None:
            now = now.astimezone(UTC).replace(tzinfo=None)
        return now

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self._con.execute(sql, list(params)).fetchall()

    def _value(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = self._con.execute(sql, list(params)).fetchone()
        return None if row is None else row[0]

    @contextmanager
    def reporting(
        self, sink: Callable[[str], None], deadline: float | None = None
    ) -> Iterator[Self]:
        """Pass each change this thread makes inside the block to *sink* too (*deadline*
        is for a directory over a network; this one does not wait on anything).

        Handlers use it to forward exactly their own changes to their step
        (``with directory.reporting(ctx.change) as d: ...``), even when loop
        iterations run in parallel threads.
        """
        sinks: list[Callable[[str], None]] = self._local.__dict__.setdefault("sinks", [])
        sinks.append(sink)
        try:
            yield self
        finally:
            sinks.pop()

    # -- not reading twice (issue 22) ---------------------------------------------------------
    #
    # A record a step read (``users.get``) is needed again by the next step
    # (``users.suspend`` loads the user it changes). It is handed out from what was read
    # instead of read again, but only while the connection's owner says one transaction stays
    # open on it (the run's recorder, a test case's sandbox), because then nothing else can
    # change what a second read would return:
    #
    # * DuckDB gives a transaction snapshot isolation: another connection's or cursor's
    #   commits (``wb.sql``, other runs of a batch, other processes) are not visible to it
    #   until it ends, so a second read in the same transaction returns the first read's rows
    #   plus this transaction's own writes;
    # * the run's cursor is its own (``Store.run_cursor``): only the recorder (history
    #   tables) and this directory use it, and handlers reach the directory through its
    #   methods only (``engine.channel``); every write of a directory table goes through
    #   _writing/_inserted below, which forget what was kept first;
    # * the owner calls _hold_reads(False) the moment the transaction commits or rolls back
    #   (after which other commits are visible), and rows read outside a held transaction
    #   are never kept.
    #
    # Records are rebuilt from the kept row each time, so a caller changing the record it
    # got changes nothing kept.

    def _hold_reads(self, held: bool) -> None:
        """Told by the owner of this directory's connection: ``True`` while one transaction
        stays open on it, ``False`` when it ends. Either way, forget every kept row."""
        self._memo.clear()
        self._memo_on = held
        self._epoch += 1

    def _kept(self, table: str, key: str) -> tuple[Any, ...] | None:
        return self._memo.get((table, key)) if self._memo_on else None

    def _keep(self, table: str, key: str, row: tuple[Any, ...], epoch: int) -> None:
        """Keep *row*, read since _hold_reads last said so (at *epoch*, taken before the read:
        a transaction that ended while it was read may have been another snapshot)."""
        if self._memo_on and epoch == self._epoch:
            self._memo[(table, key)] = row

    def _forget(self, table: str) -> None:
        # The outbox and commands are part of no record kept; anything else may be.
        if self._memo and table not in ("outbox", "commands"):
            self._memo.clear()

    def _writing(self, table: str, where: str, params: list[Any]) -> None:
        """Every ``UPDATE`` and ``DELETE`` calls this first, with its own ``WHERE``."""
        self._forget(table)
        if self._watcher is not None:
            self._watcher.before(self._con, table, where, params)

    def _inserted(self, table: str, *key: Any) -> None:
        """Every ``INSERT`` calls this after, with the new row's primary key."""
        self._forget(table)
        if self._watcher is not None:
            self._watcher.created(table, key)

    def _note(self, done: str, would: str) -> None:
        text = would if self.dry_run else done
        with self._changes_lock:
            self.changes.append(text)
        for sink in self._local.__dict__.get("sinks", ()):
            sink(text)

    def _next_id(self, table: str, prefix: str, width: int) -> str:
        """The next ``<prefix><number>`` id of *table*: from its sequence, one cheap
        statement whatever the table holds (see :mod:`.schema`). A dry run takes none: it
        names the id the real run would get (the sequence's next value, or past the ids
        its own sandbox already wrote), so its output is exactly the real run's."""
        if not self.dry_run:
            number = int(self._value(f"SELECT nextval('{id_sequence(table)}')"))
            return f"{prefix}{number:0{width}d}"
        number = self._value(
            "SELECT greatest(coalesce(s.last_value, s.start_value - 1), coalesce(("
            f'SELECT max(TRY_CAST(substr(id, {len(prefix) + 1}) AS BIGINT)) FROM "{table}" '
            "WHERE starts_with(id, ?)), 0)) + 1 "
            "FROM duckdb_sequences() s WHERE s.sequence_name = ?",
            [prefix, id_sequence(table)],
        )
        return f"{prefix}{int(number):0{width}d}"

    def _insert_with_id(self, table: str, prefix: str, width: int, params: list[Any]) -> str:
        """Insert a row whose first column is a new id, made in the same statement (one
        statement, not two); returns the id. *params* are the other columns."""
        marks = ", ".join("?" * len(params))
        if self.dry_run:
            new_id = self._next_id(table, prefix, width)
            self._con.execute(f'INSERT INTO "{table}" VALUES (?, {marks})', [new_id, *params])
            self._inserted(table, new_id)
            return new_id
        made = f"printf('{prefix}%0{width}d', nextval('{id_sequence(table)}'))"
        row = self._con.execute(
            f'INSERT INTO "{table}" VALUES ({made}, {marks}) RETURNING id', params
        ).fetchone()
        assert row is not None
        self._inserted(table, str(row[0]))
        return str(row[0])

    # -- users ----------------------------------------------------------------------------------

    def _load_user(self, column: str, value: str) -> User | None:
        """One user from the database, in two point queries (the user, their group ids), or
        as read before in the same held transaction (see _hold_reads)."""
        if column == "id":
            kept = self._kept("users", value)
            if kept is not None:
                return _user_from_row(kept)
        epoch = self._epoch
        row = self._con.execute(
            f"SELECT {_USER_COLUMNS} FROM users u WHERE u.{column} = ?", [value]
        ).fetchone()
        if row is None:
            return None
        ids = self._rows("SELECT group_id FROM memberships WHERE user_id = ?", [row[0]])
        names = self._group_names([gid for (gid,) in ids])
        groups = sorted(({"id": gid, "name": name} for gid, name in names.items()), key=_by_name)
        self._keep("users", row[0], (*row, tuple(groups)), epoch)
        return _user_from_row((*row, groups))

    def _group_names(self, ids: list[str]) -> dict[str, str]:
        """Names of the groups *ids*, from a cache read again when it misses one (names never
        change, so it cannot hold a wrong one)."""
        cache = self._group_cache
        if any(gid not in cache for gid in ids):
            cache.update(self._rows('SELECT id, name FROM "groups"'))
        return {gid: cache[gid] for gid in ids if gid in cache}

    def _find_user(self, *, id: str | None = None, email: str | None = None) -> User | None:
        if id is not None:
            return self._load_user("id", id)
        assert email is not None
        return self._load_user("email", email.strip().lower())

    def _user(self, user_id: str) -> User:
        user = self._find_user(id=user_id)
        if user is None:
            raise ActionError(f"no user with id {user_id!r}")
        return user

    def _email_taken(self, address: str, by_other_than: str | None = None) -> str | None:
        """The id of another user holding *address*, or ``None``."""
        user = self._find_user(email=address)
        if user is not None and user.id != by_other_than:
            return user.id
        return None

    def _apply_user(self, before: User, fields: dict[str, Any]) -> None:
        """Write *fields* of a user."""
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self._writing("users", "id = ?", [before.id])
        self._con.execute(
            f"UPDATE users SET {assignments} WHERE id = ?", [*fields.values(), before.id]
        )

    # -- groups ---------------------------------------------------------------------------------

    def _find_group(self, *, id: str | None = None, name: str | None = None) -> Group | None:
        if id is not None:
            rows = self._rows(_GROUP_QUERY.format(where="g.id = ?"), [id])
        else:
            rows = self._rows(_GROUP_QUERY.format(where="lower(g.name) = lower(?)"), [name])
        if not rows:
            return None
        gid, gname, description, members = rows[0]
        return Group(id=gid, name=gname, description=description, member_count=members)

    def _group(self, group_id: str) -> Group:
        group = self._find_group(id=group_id)
        if group is None:
            raise ActionError(f"no group with id {group_id!r}")
        return group

    # -- devices and commands -------------------------------------------------------------------

    def _device(self, device_id: str) -> Device:
        kept = self._kept("devices", device_id)
        if kept is not None:
            return _device_from_row(kept)
        epoch = self._epoch
        rows = self._rows(f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE id = ?", [device_id])
        if not rows:
            raise ActionError(f"no device with id {device_id!r}")
        self._keep("devices", device_id, rows[0], epoch)
        return _device_from_row(rows[0])
