"""The directory changes a run made, in words a case can expect.

Read from the tables themselves, not from what handlers said they did: a custom action
that writes through ``ctx.directory`` is seen too. A :class:`ChangeLog` is the sandbox
directory's :class:`~wfbench.directory.base.WriteWatcher`: before each ``UPDATE`` or
``DELETE`` it reads the rows that statement will touch (the first time a row is touched,
so it keeps the row as it stood before the run), and it notes the key of each row
inserted; after the run it reads those rows again by key, in the same transaction, and
compares the two by primary key (:func:`diff`). Only the rows the run wrote are read,
never whole tables (issue 22: copying all eight tables before and after each case was
three quarters of a case's time). A row changed and changed back is no change, as with a
full comparison; :func:`snapshot` (every table) stays for tests to check the log against.
Each change is a short sentence with ids::

    suspends u_0042            activates u_0042          resets mfa of u_0042
    creates u_0241             deletes u_0042            updates u_0042 department
    adds u_0042 to g_03        removes u_0042 from g_03
    locks d_0007               erases d_0007             restarts d_0007
    unassigns d_0007           binds u_0042 to app_02    unbinds u_0042 from app_02
    runs uptime on d_0007      emails ada.lovelace@example.com
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import duckdb

from wfbench.directory import DIRECTORY_TABLE_NAMES

#: Each directory table's primary key.
KEYS: dict[str, tuple[str, ...]] = {
    "users": ("id",),
    "groups": ("id",),
    "memberships": ("group_id", "user_id"),
    "devices": ("id",),
    "applications": ("id",),
    "bindings": ("application_id", "user_id"),
    "commands": ("id",),
    "outbox": ("id",),
}

Row = dict[str, Any]
Snapshot = dict[str, dict[tuple[Any, ...], Row]]


def snapshot(con: duckdb.DuckDBPyConnection) -> Snapshot:
    """Every directory table's rows by primary key, as ``con`` sees them now."""
    out: Snapshot = {}
    for table in DIRECTORY_TABLE_NAMES:
        result = con.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in result.description or ()]
        key = KEYS.get(table, (names[0],))
        rows = (dict(zip(names, values, strict=True)) for values in result.fetchall())
        out[table] = {tuple(r[k] for k in key): r for r in rows}
    return out


class ChangeLog:
    """The rows a sandboxed run writes, as they stood before it and as they stand now."""

    def __init__(self) -> None:
        self.old: Snapshot = {}
        """The touched rows that existed before the run, by table and primary key."""
        self.keys: dict[str, set[tuple[Any, ...]]] = {}
        """Every touched row's key (inserted ones too), by table."""
        self._lock = threading.Lock()

    def before(
        self, con: duckdb.DuckDBPyConnection, table: str, where: str, params: list[Any]
    ) -> None:
        key_names = KEYS[table]
        with self._lock:
            seen = self.keys.setdefault(table, set())
            if where == "id = ?" and (params[0],) in seen:
                return  # read already: it held its first state then
            result = con.execute(f'SELECT * FROM "{table}" WHERE {where}', params)
            names = [d[0] for d in result.description or ()]
            old = self.old.setdefault(table, {})
            for values in result.fetchall():
                row = dict(zip(names, values, strict=True))
                key = tuple(row[k] for k in key_names)
                if key not in seen:  # a row made by this run has no "before"
                    seen.add(key)
                    old[key] = row

    def created(self, table: str, key: tuple[Any, ...]) -> None:
        with self._lock:
            self.keys.setdefault(table, set()).add(key)

    def after(self, con: duckdb.DuckDBPyConnection) -> Snapshot:
        """The touched rows as ``con`` sees them now (a deleted row is absent)."""
        out: Snapshot = {}
        for table, keys in self.keys.items():
            if not keys:
                continue
            key_names = KEYS[table]
            params = [v for key in keys for v in key]
            if len(key_names) == 1:
                where = f'"{key_names[0]}" IN ({", ".join("?" * len(keys))})'
            else:
                one = "(" + " AND ".join(f'"{k}" = ?' for k in key_names) + ")"
                where = " OR ".join([one] * len(keys))
            result = con.execute(f'SELECT * FROM "{table}" WHERE {where}', params)
            names = [d[0] for d in result.description or ()]
            rows = (dict(zip(names, values, strict=True)) for values in result.fetchall())
            out[table] = {tuple(r[k] for k in key_names): r for r in rows}
        return out

    def changes(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        """What the run changed, in words (:func:`diff` of the touched rows)."""
        with self._lock:
            return diff(self.old, self.after(con))


def _user_update(key: str, field: str, old: Any, new: Any) -> str:
    if field == "status" and new == "suspended":
        return f"suspends {key}"
    if field == "status" and new == "active":
        return f"activates {key}"
    if field == "mfa_enrolled" and old and not new:
        return f"resets mfa of {key}"
    return f"updates {key} {field}"


def _device_update(key: str, field: str, old: Any, new: Any) -> str:
    if field == "status" and new in ("locked", "erased"):
        return f"{'locks' if new == 'locked' else 'erases'} {key}"
    if field == "owner_id" and new is None:
        return f"unassigns {key}"
    if field == "last_seen":
        return f"restarts {key}"
    return f"updates {key} {field}"


def _generic_update(key: str, field: str, old: Any, new: Any) -> str:
    return f"updates {key} {field}"


_UPDATES: dict[str, Callable[[str, str, Any, Any], str]] = {
    "users": _user_update,
    "devices": _device_update,
}


def _added(table: str, row: Row) -> str:
    if table == "memberships":
        return f"adds {row['user_id']} to {row['group_id']}"
    if table == "bindings":
        return f"binds {row['user_id']} to {row['application_id']}"
    if table == "commands":
        return f"runs {row['command']} on {row['device_id']}"
    if table == "outbox":
        return f"emails {row['to_addr']}"
    return f"creates {row['id']}"


def _removed(table: str, row: Row) -> str:
    if table == "memberships":
        return f"removes {row['user_id']} from {row['group_id']}"
    if table == "bindings":
        return f"unbinds {row['user_id']} from {row['application_id']}"
    return f"deletes {next(iter(row.values()))}"


def diff(before: Snapshot, after: Snapshot) -> list[str]:
    """The changes from ``before`` to ``after``, each once, in table order."""
    out: list[str] = []
    for table in DIRECTORY_TABLE_NAMES:
        old, new = before.get(table, {}), after.get(table, {})
        update = _UPDATES.get(table, _generic_update)
        for key, row in new.items():
            if key not in old:
                out.append(_added(table, row))
                continue
            previous = old[key]
            for field, value in row.items():
                if previous.get(field) != value:
                    out.append(update(str(key[0]), field, previous.get(field), value))
        out.extend(_removed(table, row) for key, row in old.items() if key not in new)
    return list(dict.fromkeys(out))


def normalise(change: str) -> str:
    """A change as compared: lower case, single spaces."""
    return " ".join(change.lower().split())


__all__ = ["KEYS", "ChangeLog", "Snapshot", "diff", "normalise", "snapshot"]
