"""What every part of :class:`~wfbench.directory.Directory` shares: the connection,
permissions, change notes, lookups and the rows-to-records helpers."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Final, Self

import duckdb

from wfbench.actions.records import Device, Group, GroupRef, User
from wfbench.errors import ActionError, PermissionDenied

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


class _Simulation:
    """What a directory's dry-run writes would have done; shared by :meth:`Directory.on` copies."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users: dict[str, User] = {}
        self.deleted: set[str] = set()
        self.groups: dict[str, Group] = {}
        self.devices: dict[str, Device] = {}
        self.last_ids: dict[str, int] = {}
        #: The database the dry-run writes were simulated against (``None``: none yet).
        self.database: str | None = None


#: How many runs' dry-run state :class:`Directory` keeps (least recently used runs go first).
SIMULATED_RUNS_KEPT: Final = 256
_SIMULATIONS: OrderedDict[str, _Simulation] = OrderedDict()
_SIMULATIONS_LOCK = threading.Lock()


def _database(con: duckdb.DuckDBPyConnection) -> str:
    """Which database *con* reads (its file, or its name when in memory)."""
    row = con.execute(
        "SELECT coalesce(path, database_name) FROM duckdb_databases() "
        "WHERE database_name = current_database()"
    ).fetchone()
    return "" if row is None else str(row[0])


def _simulation(run_id: str | None, con: duckdb.DuckDBPyConnection) -> _Simulation:
    """The dry-run state of *run_id* on *con*'s database (new for a new run or no run id)."""
    if run_id is None:
        return _Simulation()
    with _SIMULATIONS_LOCK:
        state = _SIMULATIONS.get(run_id)
        if state is not None and state.database not in (None, _database(con)):
            state = None  # the same run id used again on another database
        if state is None:
            state = _SIMULATIONS[run_id] = _Simulation()
            while len(_SIMULATIONS) > SIMULATED_RUNS_KEPT:
                _SIMULATIONS.popitem(last=False)
        else:
            _SIMULATIONS.move_to_end(run_id)
        return state


class DirectoryBase:
    """Read and change the embedded directory, within a set of permissions.

    *con* is a DuckDB connection or cursor holding the directory tables.
    *permissions* (``None``: unrestricted) are checked by every method before
    it does anything. *run_id* is recorded with the commands and emails this
    directory writes. *clock* gives "now" (an aware datetime, or a naive one
    taken as UTC) for timestamps; tests pass a fixed one.

    The remembered dry-run state belongs to the run: every ``Directory`` built
    in this process with the same *run_id* on the same database shares it (the most recent
    :data:`SIMULATED_RUNS_KEPT` runs are kept), so an engine may build one per
    step and a dry run still sees the user an earlier step would have created.
    Without a *run_id* the state is this object's own. :attr:`changes` is
    always this object's. To use a directory from another thread, give that
    thread its own cursor with :meth:`on`.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        permissions: Iterable[str] | None = None,
        *,
        run_id: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._con = con
        self.permissions: frozenset[str] | None = (
            None if permissions is None else frozenset(permissions)
        )
        self.run_id = run_id
        self._clock = clock or _utc_now
        #: Every change made (or, in a dry run, that would be made), one line each, in order.
        self.changes: list[str] = []
        self._state = _simulation(run_id, con)
        self._local = threading.local()
        self._group_cache: dict[str, str] = {}

    def on(self, con: duckdb.DuckDBPyConnection) -> Self:
        """The same directory through another connection or cursor (for another thread).

        The copy shares permissions, run id, clock, :attr:`changes` and the
        remembered dry-run state with this one.
        """
        other = type(self)(con, self.permissions, run_id=self.run_id, clock=self._clock)
        other.changes = self.changes
        other._state = self._state
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
    def reporting(self, sink: Callable[[str], None]) -> Iterator[Self]:
        """Pass each change this thread makes inside the block to *sink* too.

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

    def _note(self, dry_run: bool, done: str, would: str) -> None:
        text = would if dry_run else done
        if dry_run and self._state.database is None:
            self._state.database = _database(self._con)
        with self._state.lock:
            self.changes.append(text)
        for sink in self._local.__dict__.get("sinks", ()):
            sink(text)

    def _next_id(self, table: str, prefix: str, width: int, dry_run: bool) -> str:
        """The next free ``<prefix><number>`` id of *table*, counting dry-run ids given out."""
        top = self._value(
            f'SELECT max(TRY_CAST(substr(id, {len(prefix) + 1}) AS BIGINT)) FROM "{table}" '
            "WHERE starts_with(id, ?)",
            [prefix],
        )
        with self._state.lock:
            number = max(int(top or 0), self._state.last_ids.get(prefix, 0)) + 1
            if dry_run:
                self._state.last_ids[prefix] = number
        return f"{prefix}{number:0{width}d}"

    # -- users ----------------------------------------------------------------------------------

    def _load_user(self, column: str, value: str) -> User | None:
        """One user from the database, in two point queries (the user, their group ids)."""
        row = self._con.execute(
            f"SELECT {_USER_COLUMNS} FROM users u WHERE u.{column} = ?", [value]
        ).fetchone()
        if row is None:
            return None
        ids = self._rows("SELECT group_id FROM memberships WHERE user_id = ?", [row[0]])
        names = self._group_names([gid for (gid,) in ids])
        groups = sorted(({"id": gid, "name": name} for gid, name in names.items()), key=_by_name)
        return _user_from_row((*row, groups))

    def _group_names(self, ids: list[str]) -> dict[str, str]:
        """Names of the groups *ids*, from a cache read again when it misses one (names never
        change, so it cannot hold a wrong one)."""
        cache = self._group_cache
        if any(gid not in cache for gid in ids):
            cache.update(self._rows('SELECT id, name FROM "groups"'))
        return {gid: cache[gid] for gid in ids if gid in cache}

    def _find_user(self, *, id: str | None = None, email: str | None = None) -> User | None:
        state = self._state
        if id is not None:
            if id in state.deleted:
                return None
            if id in state.users:
                return state.users[id]
            user = self._load_user("id", id)
        else:
            assert email is not None
            address = email.strip().lower()
            for candidate in list(state.users.values()):
                if candidate.email == address and candidate.id not in state.deleted:
                    return candidate
            user = self._load_user("email", address)
        if user is None:
            return None
        if user.id in state.deleted or (email is not None and user.id in state.users):
            return None  # deleted, or its email changed, in this directory's dry run
        return user

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

    def _apply_user(self, before: User, after: User, fields: dict[str, Any], dry_run: bool) -> None:
        """Write *fields* of a user (or, in a dry run, remember the would-be user)."""
        if dry_run:
            self._state.users[after.id] = after
            return
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self._con.execute(
            f"UPDATE users SET {assignments} WHERE id = ?", [*fields.values(), before.id]
        )
        self._state.users.pop(before.id, None)

    # -- groups ---------------------------------------------------------------------------------

    def _find_group(self, *, id: str | None = None, name: str | None = None) -> Group | None:
        for group in list(self._state.groups.values()):
            if group.id == id or (name is not None and group.name.lower() == name.lower()):
                return group
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
        if device_id in self._state.devices:
            return self._state.devices[device_id]
        rows = self._rows(f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE id = ?", [device_id])
        if not rows:
            raise ActionError(f"no device with id {device_id!r}")
        return _device_from_row(rows[0])
