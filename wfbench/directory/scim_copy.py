"""A SCIM directory's users, groups and memberships copied into the embedded tables.

Two uses: :func:`replace_with_copy` (``Workbench.snapshot_directory``) puts the copy in
the store's directory in place of the sample organisation, devices and applications
emptied, to prototype and test on; :func:`planning_copy` makes an in-memory directory
holding the copy, on which a plan (a dry run against SCIM) makes its writes: it reads
the real directory once, at its start, and never writes to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from wfbench.directory.schema import DIRECTORY_TABLE_NAMES, create_directory
from wfbench.directory.scim import ScimDirectory
from wfbench.directory.scim_base import _email_of, scim_user_fields
from wfbench.directory.targets import ScimTarget

__all__ = ["Copy", "planning_copy", "read_copy", "replace_with_copy"]


@dataclass(frozen=True)
class Copy:
    """What was read from a SCIM directory: rows for ``users``, ``groups``, ``memberships``."""

    users: list[tuple[Any, ...]]
    groups: list[tuple[Any, ...]]
    memberships: list[tuple[Any, ...]]
    read_at: datetime


def _stamp(text: str, fallback: datetime) -> datetime:
    if not text:
        return fallback
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def read_copy(target: ScimTarget) -> Copy:
    """Read every user and group of *target* (paging through them all)."""
    directory = ScimDirectory(target)
    try:
        users = directory._list("User", "list users")
        groups = directory._list("Group", "list groups")
    finally:
        directory.close()
    now = datetime.now(UTC).replace(tzinfo=None)
    emails = {u.id: _email_of(u) for u in users}
    user_rows: list[tuple[Any, ...]] = []
    taken: set[str] = set()
    for resource in users:
        f = scim_user_fields(resource)
        email = f["email"] or f"{f['id']}@scim.invalid"
        if email in taken:  # the embedded directory keeps emails unique
            email = f"{f['id']}+{email}"
        taken.add(email)
        user_rows.append(
            (
                f["id"],
                email,
                f["first_name"],
                f["last_name"],
                f["department"],
                f["employee_type"],
                emails.get(f["manager_id"] or ""),
                f["status"],
                False,
                _stamp(f["created_at"], now),
            )
        )
    known = set(emails)
    group_rows = [(g.id, g.display_name or g.id, "") for g in groups]
    member_rows = [
        (g.id, m.value, now) for g in groups for m in g.members or () if m.value in known
    ]
    return Copy(user_rows, group_rows, member_rows, now)


def _fill(con: duckdb.DuckDBPyConnection, copy: Copy) -> None:
    if copy.users:
        con.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", copy.users)
    if copy.groups:
        con.executemany('INSERT INTO "groups" VALUES (?, ?, ?)', copy.groups)
    if copy.memberships:
        con.executemany("INSERT OR IGNORE INTO memberships VALUES (?, ?, ?)", copy.memberships)


def replace_with_copy(con: duckdb.DuckDBPyConnection, copy: Copy) -> dict[str, int]:
    """Empty the directory tables of *con* (in the caller's transaction) and fill them from
    *copy*; returns rows per table."""
    for table in reversed(DIRECTORY_TABLE_NAMES):
        con.execute(f'DELETE FROM "{table}"')
    _fill(con, copy)
    return {
        "users": len(copy.users),
        "groups": len(copy.groups),
        "memberships": len(copy.memberships),
    }


def planning_copy(target: ScimTarget) -> duckdb.DuckDBPyConnection:
    """An in-memory directory holding a fresh copy of *target* (a plan writes on it)."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    create_directory(con)
    _fill(con, read_copy(target))
    return con
