"""The embedded directory: a sample organisation kept in DuckDB for actions to act on.

The tables (:data:`DIRECTORY_TABLES`, created by :func:`create_directory`) hold
users, groups, memberships, devices, applications, bindings, the commands run
on devices and the outbox of sent email. :func:`seed_demo` fills an empty
directory with the same sample organisation every time.

:class:`Directory` is the one way to read and change them: the built-in
actions' handlers use it, and so can plain Python (a benchmark baseline, a
notebook). It returns the records of :mod:`wfbench.actions.records` and the
category output models, never bare lists.

Three things every method does the same way:

* **Permissions.** A ``Directory`` built with ``permissions`` checks, before
  anything else, that they hold what the method needs, and raises
  :class:`~wfbench.errors.PermissionDenied` naming what is missing. A custom
  action handed the run's directory cannot exceed the run's role.
* **Dry runs.** Every writing method takes ``dry_run``. With ``True`` it
  validates, computes the exact output it would return, and writes nothing.
  The directory remembers what its dry-run writes would have done to users,
  groups and devices (and the ids it handed out), so a later lookup *by id or
  email* by a ``Directory`` of the same run sees the would-be state, as in a
  real run. Searches and listings always read the database.
* **Changes.** Every write that changes something (or would) appends one line
  to :attr:`Directory.changes`, for example ``"suspended
  ada.lovelace@example.com (active → suspended)"`` or ``"would create user
  grace.hopper@example.com (u_0241)"``; :meth:`Directory.reporting` also
  passes each line, as it is made, to a callback of the calling thread. A
  write that finds nothing to do (adding a member twice) records no change and
  says so in its output (``changed: false``).

Integrity is kept in code rather than with DuckDB foreign keys, which make
deletes awkward: deleting a user removes their memberships and bindings and
unassigns their devices.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Final

import duckdb

from wfbench.actions.applications import Binding
from wfbench.actions.commands import CommandResult
from wfbench.actions.groups import Membership
from wfbench.actions.notify import EmailSent
from wfbench.actions.records import (
    Deleted,
    Device,
    DeviceList,
    Group,
    GroupRef,
    User,
    UserList,
)
from wfbench.errors import ActionError, PermissionDenied

#: The tables of the directory, in creation order.
DIRECTORY_TABLE_NAMES: Final[tuple[str, ...]] = (
    "users",
    "groups",
    "memberships",
    "devices",
    "applications",
    "bindings",
    "commands",
    "outbox",
)

#: ``CREATE TABLE IF NOT EXISTS`` statements, one per table of :data:`DIRECTORY_TABLE_NAMES`.
#: ``groups`` is a keyword in window frames, so it is always quoted.
DIRECTORY_TABLES: Final[tuple[str, ...]] = (
    """CREATE TABLE IF NOT EXISTS users (
        id VARCHAR PRIMARY KEY,
        email VARCHAR NOT NULL UNIQUE,
        first_name VARCHAR NOT NULL,
        last_name VARCHAR NOT NULL,
        department VARCHAR NOT NULL,
        employee_type VARCHAR NOT NULL,
        manager_email VARCHAR,
        status VARCHAR NOT NULL,
        mfa_enrolled BOOLEAN NOT NULL,
        created_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS "groups" (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL UNIQUE,
        description VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS memberships (
        group_id VARCHAR NOT NULL,
        user_id VARCHAR NOT NULL,
        added_at TIMESTAMP NOT NULL,
        PRIMARY KEY (group_id, user_id)
    )""",
    """CREATE TABLE IF NOT EXISTS devices (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        os VARCHAR NOT NULL,
        owner_id VARCHAR,
        status VARCHAR NOT NULL,
        last_seen TIMESTAMP
    )""",
    """CREATE TABLE IF NOT EXISTS applications (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL UNIQUE,
        description VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS bindings (
        application_id VARCHAR NOT NULL,
        user_id VARCHAR NOT NULL,
        bound_at TIMESTAMP NOT NULL,
        PRIMARY KEY (application_id, user_id)
    )""",
    """CREATE TABLE IF NOT EXISTS commands (
        id VARCHAR PRIMARY KEY,
        device_id VARCHAR NOT NULL,
        command VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        exit_code INTEGER,
        output VARCHAR NOT NULL,
        run_id VARCHAR,
        created_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS outbox (
        id VARCHAR PRIMARY KEY,
        to_addr VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        body VARCHAR NOT NULL,
        run_id VARCHAR,
        created_at TIMESTAMP NOT NULL
    )""",
)


def create_directory(con: duckdb.DuckDBPyConnection) -> None:
    """Create the directory's tables that do not exist yet (safe to call again)."""
    for ddl in DIRECTORY_TABLES:
        con.execute(ddl)


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether *con* is inside an explicit transaction.

    Asked rather than tried: a failed ``BEGIN`` would abort the caller's
    transaction. Outside one, every statement gets a new transaction id.
    """
    first = con.execute("SELECT txid_current()").fetchone()
    return first == con.execute("SELECT txid_current()").fetchone()


@contextmanager
def atomic(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block's statements in one transaction, or in the caller's if one is open."""
    if in_transaction(con):
        yield  # the caller's transaction commits or rolls back
        return
    con.begin()
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


def seed_demo(con: duckdb.DuckDBPyConnection, *, seed: int = 7) -> dict[str, int]:
    """Fill an empty directory with the sample organisation; return rows per table.

    The same *seed* always gives the same rows (no wall clock is read). The
    tables are created first if missing. Seeding **refuses** a directory that
    already holds users (:class:`~wfbench.errors.WfbenchError`): use a fresh
    store instead. See :mod:`wfbench.demo_org` for what the organisation holds.
    """
    from wfbench.demo_org import seed_directory

    return seed_directory(con, seed=seed)


# ---------------------------------------------------------------------------------------------
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


class Directory:
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

    def on(self, con: duckdb.DuckDBPyConnection) -> Directory:
        """The same directory through another connection or cursor (for another thread).

        The copy shares permissions, run id, clock, :attr:`changes` and the
        remembered dry-run state with this one.
        """
        other = Directory(con, self.permissions, run_id=self.run_id, clock=self._clock)
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
    def reporting(self, sink: Callable[[str], None]) -> Iterator[Directory]:
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

    def get_user(self, id: str | None = None, email: str | None = None) -> User:
        """The user with this *id* or *email* (matched without regard to case).

        Given both, the user must match both. Nothing found is an
        :class:`~wfbench.errors.ActionError` naming what was looked for.
        """
        self._require("get_user", "users:read")
        if id is None and email is None:
            raise ActionError("give the user's id or email")
        user = self._find_user(id=id) if id is not None else self._find_user(email=email)
        if user is not None and email is not None and user.email != email.strip().lower():
            user = None
        if user is None:
            looked = [f"id {id!r}"] if id is not None else []
            looked += [f"email {email!r}"] if email is not None else []
            raise ActionError(f"no user with {' and '.join(looked)}")
        return user

    def search_users(
        self,
        department: str | None = None,
        employee_type: str | None = None,
        status: str | None = None,
        group: str | None = None,
        limit: int = 50,
    ) -> UserList:
        """Users matching every filter given, by id, at most *limit* of them.

        *group* is a group's name; an unknown group is an error (a typo should
        not look like an empty group).
        """
        self._require("search_users", "users:read")
        if limit < 1:
            raise ActionError(f"limit must be at least 1, not {limit}")
        where: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("department", department),
            ("employee_type", employee_type),
            ("status", status),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if group is not None:
            group_id = self._value('SELECT id FROM "groups" WHERE lower(name) = lower(?)', [group])
            if group_id is None:
                raise ActionError(f"no group named {group!r}")
            where.append(
                "EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.group_id = ?)"
            )
            params.append(group_id)
        condition = f"WHERE {' AND '.join(where)}" if where else ""
        source = f"SELECT * FROM users {condition} ORDER BY id LIMIT ?"
        rows = self._rows(_user_query(source), [*params, limit])
        users = [_user_from_row(r) for r in rows]
        return UserList(users=users, count=len(users))

    def create_user(
        self,
        first_name: str,
        last_name: str,
        email: str,
        department: str,
        employee_type: str = "employee",
        manager_email: str | None = None,
        *,
        dry_run: bool = False,
    ) -> User:
        """Create an active user without MFA; the email must be free. Returns the new user."""
        self._require("create_user", "users:write")
        address = _email(email)
        if employee_type not in _EMPLOYEE_TYPES:
            raise ActionError(
                f"employee_type must be employee or contractor, not {employee_type!r}"
            )
        manager = None if manager_email is None else _email(manager_email, "manager_email")
        taken = self._email_taken(address)
        if taken is not None:
            raise ActionError(f"a user with email {address!r} already exists ({taken})")
        now = self._now()
        user = User(
            id=self._next_id("users", "u_", 4, dry_run),
            email=address,
            first_name=_text(first_name, "first_name"),
            last_name=_text(last_name, "last_name"),
            department=_text(department, "department"),
            employee_type=employee_type,  # checked above
            manager_email=manager,
            status="active",
            mfa_enrolled=False,
            groups=[],
            created_at=_iso(now) or "",
        )
        if dry_run:
            self._state.users[user.id] = user
        else:
            self._con.execute(
                "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    user.id,
                    user.email,
                    user.first_name,
                    user.last_name,
                    user.department,
                    user.employee_type,
                    user.manager_email,
                    user.status,
                    user.mfa_enrolled,
                    now,
                ],
            )
        self._note(
            dry_run,
            f"created user {address} ({user.id})",
            f"would create user {address} ({user.id})",
        )
        return user

    def update_user(self, user_id: str, *, dry_run: bool = False, **fields: Any) -> User:
        """Change some of a user's details; returns the user as changed.

        *fields* are any of ``first_name``, ``last_name``, ``email``,
        ``department``, ``employee_type``, ``manager_email``. ``None`` for
        ``manager_email`` removes the manager; ``None`` for any other field
        leaves it unchanged. A new email must be free.
        """
        self._require("update_user", "users:write")
        unknown = sorted(set(fields) - set(_UPDATABLE))
        if unknown:
            raise ActionError(
                f"update_user cannot change {', '.join(unknown)}; it changes "
                f"{', '.join(_UPDATABLE)} (suspend_user, activate_user and reset_mfa change "
                "the rest)"
            )
        before = self._user(user_id)
        wanted: dict[str, Any] = {}
        for name, value in fields.items():
            if value is None and name != "manager_email":
                continue
            if name == "email":
                value = _email(value)
            elif name == "manager_email":
                value = None if value is None else _email(value, "manager_email")
            elif name == "employee_type":
                if value not in _EMPLOYEE_TYPES:
                    raise ActionError(
                        f"employee_type must be employee or contractor, not {value!r}"
                    )
            else:
                value = _text(value, name)
            if getattr(before, name) != value:
                wanted[name] = value
        if "email" in wanted:
            taken = self._email_taken(wanted["email"], by_other_than=user_id)
            if taken is not None:
                raise ActionError(f"a user with email {wanted['email']!r} already exists ({taken})")
        if not wanted:
            return before
        after = before.model_copy(update=wanted)
        self._apply_user(before, after, wanted, dry_run)
        detail = ", ".join(f"{k} {getattr(before, k)} → {v}" for k, v in wanted.items())
        self._note(
            dry_run,
            f"updated {before.email}: {detail}",
            f"would update {before.email}: {detail}",
        )
        return after

    def _set_user(
        self,
        doing: str,
        user_id: str,
        field: str,
        value: Any,
        verbs: tuple[str, str],
        dry_run: bool,
    ) -> User:
        self._require(doing, "users:write")
        before = self._user(user_id)
        old = getattr(before, field)
        if old == value:
            return before
        after = before.model_copy(update={field: value})
        self._apply_user(before, after, {field: value}, dry_run)
        shown = {True: "enrolled", False: "not enrolled"}
        detail = f"({shown.get(old, old)} → {shown.get(value, value)})"
        done, would = verbs
        self._note(
            dry_run, f"{done} {before.email} {detail}", f"would {would} {before.email} {detail}"
        )
        return after

    def suspend_user(self, user_id: str, *, dry_run: bool = False) -> User:
        """Suspend a user (they can no longer sign in); returns the user as changed."""
        return self._set_user(
            "suspend_user", user_id, "status", "suspended", ("suspended", "suspend"), dry_run
        )

    def activate_user(self, user_id: str, *, dry_run: bool = False) -> User:
        """Reactivate a suspended user; returns the user as changed."""
        return self._set_user(
            "activate_user", user_id, "status", "active", ("activated", "activate"), dry_run
        )

    def reset_mfa(self, user_id: str, *, dry_run: bool = False) -> User:
        """Remove a user's second factor (``mfa_enrolled`` becomes false)."""
        return self._set_user(
            "reset_mfa",
            user_id,
            "mfa_enrolled",
            False,
            ("reset the MFA of", "reset the MFA of"),
            dry_run,
        )

    def delete_user(self, user_id: str, *, dry_run: bool = False) -> Deleted:
        """Delete a user, their group memberships and application bindings.

        Devices they owned stay in the directory, unassigned.
        """
        self._require("delete_user", "users:delete")
        user = self._user(user_id)
        counts = self._rows(
            "SELECT (SELECT count(*) FROM memberships WHERE user_id = $1), "
            "(SELECT count(*) FROM bindings WHERE user_id = $1), "
            "(SELECT count(*) FROM devices WHERE owner_id = $1)",
            [user_id],
        )[0]
        if dry_run:
            self._state.deleted.add(user_id)
        else:
            with atomic(self._con):
                for sql in (
                    "DELETE FROM memberships WHERE user_id = ?",
                    "DELETE FROM bindings WHERE user_id = ?",
                    "UPDATE devices SET owner_id = NULL WHERE owner_id = ?",
                    "DELETE FROM users WHERE id = ?",
                ):
                    self._con.execute(sql, [user_id])
            self._state.users.pop(user_id, None)
        detail = (
            f"({user_id}; left {counts[0]} groups, lost {counts[1]} application bindings, "
            f"{counts[2]} devices unassigned)"
        )
        self._note(
            dry_run,
            f"deleted user {user.email} {detail}",
            f"would delete user {user.email} {detail}",
        )
        return Deleted(id=user_id, deleted=True)

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

    def get_group(self, id: str | None = None, name: str | None = None) -> Group:
        """The group with this *id* or *name* (names match without regard to case)."""
        self._require("get_group", "groups:read")
        if id is None and name is None:
            raise ActionError("give the group's id or name")
        group = self._find_group(id=id) if id is not None else self._find_group(name=name)
        if group is not None and name is not None and group.name.lower() != name.lower():
            group = None
        if group is None:
            looked = [f"id {id!r}"] if id is not None else []
            looked += [f"name {name!r}"] if name is not None else []
            raise ActionError(f"no group with {' and '.join(looked)}")
        return group

    def create_group(self, name: str, description: str = "", *, dry_run: bool = False) -> Group:
        """Create an empty group; the name must be free (without regard to case)."""
        self._require("create_group", "groups:write")
        name = _text(name, "the group name")
        existing = self._find_group(name=name)
        if existing is not None:
            raise ActionError(f"a group named {existing.name!r} already exists ({existing.id})")
        group = Group(
            id=self._next_id("groups", "g_", 2, dry_run),
            name=name,
            description=description,
            member_count=0,
        )
        if dry_run:
            self._state.groups[group.id] = group
        else:
            self._con.execute(
                'INSERT INTO "groups" VALUES (?, ?, ?)', [group.id, group.name, description]
            )
            self._group_cache[group.id] = group.name
        self._note(
            dry_run,
            f"created group {name} ({group.id})",
            f"would create group {name} ({group.id})",
        )
        return group

    def list_members(self, group_id: str) -> UserList:
        """The users who belong to a group, by id."""
        self._require("list_members", "groups:read", "users:read")
        self._group(group_id)
        source = (
            "SELECT * FROM users WHERE id IN (SELECT user_id FROM memberships WHERE group_id = ?)"
        )
        users = [_user_from_row(r) for r in self._rows(_user_query(source), [group_id])]
        return UserList(users=users, count=len(users))

    def _is_member(self, group_id: str, user_id: str) -> bool:
        return bool(
            self._rows(
                "SELECT 1 FROM memberships WHERE group_id = ? AND user_id = ?", [group_id, user_id]
            )
        )

    def add_user_to_group(
        self, group_id: str, user_id: str, *, dry_run: bool = False
    ) -> Membership:
        """Add a user to a group; ``changed`` is false when they already belonged."""
        self._require("add_user_to_group", "groups:write")
        group = self._group(group_id)
        user = self._user(user_id)
        if self._is_member(group_id, user_id):
            return Membership(group_id=group_id, user_id=user_id, changed=False)
        if not dry_run:
            self._con.execute(
                "INSERT INTO memberships VALUES (?, ?, ?)", [group_id, user_id, self._now()]
            )
        self._note(
            dry_run,
            f"added {user.email} to group {group.name}",
            f"would add {user.email} to group {group.name}",
        )
        return Membership(group_id=group_id, user_id=user_id, changed=True)

    def remove_user_from_group(
        self, group_id: str, user_id: str, *, dry_run: bool = False
    ) -> Membership:
        """Remove a user from a group; ``changed`` is false when they did not belong."""
        self._require("remove_user_from_group", "groups:write")
        group = self._group(group_id)
        user = self._user(user_id)
        if not self._is_member(group_id, user_id):
            return Membership(group_id=group_id, user_id=user_id, changed=False)
        if not dry_run:
            self._con.execute(
                "DELETE FROM memberships WHERE group_id = ? AND user_id = ?", [group_id, user_id]
            )
        self._note(
            dry_run,
            f"removed {user.email} from group {group.name}",
            f"would remove {user.email} from group {group.name}",
        )
        return Membership(group_id=group_id, user_id=user_id, changed=True)

    # -- devices and commands -------------------------------------------------------------------

    def _device(self, device_id: str) -> Device:
        if device_id in self._state.devices:
            return self._state.devices[device_id]
        rows = self._rows(f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE id = ?", [device_id])
        if not rows:
            raise ActionError(f"no device with id {device_id!r}")
        return _device_from_row(rows[0])

    def get_device(self, device_id: str) -> Device:
        """The device with this id."""
        self._require("get_device", "devices:read")
        return self._device(device_id)

    def devices_for_user(self, user_id: str) -> DeviceList:
        """The devices assigned to a user, by id."""
        self._require("devices_for_user", "devices:read")
        self._user(user_id)
        rows = self._rows(
            f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE owner_id = ? ORDER BY id", [user_id]
        )
        devices = [_device_from_row(r) for r in rows]
        return DeviceList(devices=devices, count=len(devices))

    def _change_device(
        self, device: Device, changes: dict[str, Any], now: datetime | None, dry_run: bool
    ) -> Device:
        after = device.model_copy(update={**changes, **({"last_seen": _iso(now)} if now else {})})
        if dry_run:
            self._state.devices[device.id] = after
            return after
        columns = dict(changes)
        if now is not None:
            columns["last_seen"] = now
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self._con.execute(
            f"UPDATE devices SET {assignments} WHERE id = ?", [*columns.values(), device.id]
        )
        self._state.devices.pop(device.id, None)
        return after

    def _refuse_erased(self, device: Device, doing: str) -> None:
        if device.status == "erased":
            raise ActionError(f"device {device.name} ({device.id}) is erased; it cannot be {doing}")

    def lock_device(self, device_id: str, *, dry_run: bool = False) -> Device:
        """Lock a device; an erased device cannot be locked."""
        self._require("lock_device", "devices:write")
        device = self._device(device_id)
        self._refuse_erased(device, "locked")
        if device.status == "locked":
            return device
        after = self._change_device(device, {"status": "locked"}, None, dry_run)
        self._note(
            dry_run,
            f"locked device {device.name} ({device_id}; {device.status} → locked)",
            f"would lock device {device.name} ({device_id}; {device.status} → locked)",
        )
        return after

    def restart_device(self, device_id: str, *, dry_run: bool = False) -> Device:
        """Restart a device: its status stays, ``last_seen`` becomes now."""
        self._require("restart_device", "devices:write")
        device = self._device(device_id)
        self._refuse_erased(device, "restarted")
        after = self._change_device(device, {}, self._now(), dry_run)
        self._note(
            dry_run,
            f"restarted device {device.name} ({device_id})",
            f"would restart device {device.name} ({device_id})",
        )
        return after

    def erase_device(self, device_id: str, *, dry_run: bool = False) -> Device:
        """Wipe a device; it stays in the directory with status ``erased``."""
        self._require("erase_device", "devices:erase")
        device = self._device(device_id)
        if device.status == "erased":
            return device
        after = self._change_device(device, {"status": "erased"}, None, dry_run)
        self._note(
            dry_run,
            f"erased device {device.name} ({device_id}; {device.status} → erased)",
            f"would erase device {device.name} ({device_id}; {device.status} → erased)",
        )
        return after

    def run_command(self, device_id: str, command: str, *, dry_run: bool = False) -> CommandResult:
        """Run a command on a device and record it (simulated: it succeeds, printing ``ran: …``).

        Erased devices refuse commands.
        """
        self._require("run_command", "commands:run")
        command = _text(command, "the command")
        device = self._device(device_id)
        self._refuse_erased(device, "sent commands")
        result = CommandResult(
            command_id=self._next_id("commands", "cmd_", 6, dry_run),
            device_id=device_id,
            command=command,
            status="succeeded",
            exit_code=0,
            output=f"ran: {command}",
        )
        if not dry_run:
            self._con.execute(
                "INSERT INTO commands VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    result.command_id,
                    device_id,
                    command,
                    result.status,
                    result.exit_code,
                    result.output,
                    self.run_id,
                    self._now(),
                ],
            )
        shown = command if len(command) <= 60 else command[:57] + "..."
        self._note(
            dry_run,
            f"ran `{shown}` on device {device.name} ({device_id}) as {result.command_id}",
            f"would run `{shown}` on device {device.name} ({device_id})",
        )
        return result

    # -- applications and notifications ---------------------------------------------------------

    def _application_name(self, application_id: str) -> str:
        name = self._value("SELECT name FROM applications WHERE id = ?", [application_id])
        if name is None:
            raise ActionError(f"no application with id {application_id!r}")
        return str(name)

    def _is_bound(self, application_id: str, user_id: str) -> bool:
        return bool(
            self._rows(
                "SELECT 1 FROM bindings WHERE application_id = ? AND user_id = ?",
                [application_id, user_id],
            )
        )

    def bind_application(
        self, application_id: str, user_id: str, *, dry_run: bool = False
    ) -> Binding:
        """Give a user access to an application; ``changed`` is false if they had it."""
        self._require("bind_application", "applications:write")
        app = self._application_name(application_id)
        user = self._user(user_id)
        if self._is_bound(application_id, user_id):
            return Binding(application_id=application_id, user_id=user_id, changed=False)
        if not dry_run:
            self._con.execute(
                "INSERT INTO bindings VALUES (?, ?, ?)", [application_id, user_id, self._now()]
            )
        self._note(
            dry_run,
            f"gave {user.email} access to {app}",
            f"would give {user.email} access to {app}",
        )
        return Binding(application_id=application_id, user_id=user_id, changed=True)

    def unbind_application(
        self, application_id: str, user_id: str, *, dry_run: bool = False
    ) -> Binding:
        """Take a user's access to an application away; ``changed`` is false if they had none."""
        self._require("unbind_application", "applications:write")
        app = self._application_name(application_id)
        user = self._user(user_id)
        if not self._is_bound(application_id, user_id):
            return Binding(application_id=application_id, user_id=user_id, changed=False)
        if not dry_run:
            self._con.execute(
                "DELETE FROM bindings WHERE application_id = ? AND user_id = ?",
                [application_id, user_id],
            )
        self._note(
            dry_run,
            f"took {app} access away from {user.email}",
            f"would take {app} access away from {user.email}",
        )
        return Binding(application_id=application_id, user_id=user_id, changed=True)

    def send_email(self, to: str, subject: str, body: str, *, dry_run: bool = False) -> EmailSent:
        """Put an email in the outbox (nothing leaves the machine)."""
        self._require("send_email", "notifications:send")
        address = _email(to, "recipient")
        sent = EmailSent(
            message_id=self._next_id("outbox", "msg_", 6, dry_run), to=address, subject=subject
        )
        if not dry_run:
            self._con.execute(
                "INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?)",
                [sent.message_id, address, subject, body, self.run_id, self._now()],
            )
        self._note(
            dry_run,
            f"emailed {address}: {subject!r} ({sent.message_id})",
            f"would email {address}: {subject!r}",
        )
        return sent


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
