"""The directory changes a run made, in words a case can expect.

Read from the tables themselves (a snapshot before the run, one after, compared by
primary key), not from what handlers said they did: a custom action that writes
through ``ctx.directory`` is seen too. Each change is a short sentence with ids::

    suspends u_0042            activates u_0042          resets mfa of u_0042
    creates u_0241             deletes u_0042            updates u_0042 department
    adds u_0042 to g_03        removes u_0042 from g_03
    locks d_0007               erases d_0007             restarts d_0007
    unassigns d_0007           binds u_0042 to app_02    unbinds u_0042 from app_02
    runs uptime on d_0007      emails ada.lovelace@example.com
"""

from __future__ import annotations

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


__all__ = ["KEYS", "Snapshot", "diff", "normalise", "snapshot"]
