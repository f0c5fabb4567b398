"""Helpers shared by the directory's tests: a fixed clock, table snapshots, lookups, writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd
from pandas.testing import assert_frame_equal

from wfbench.directory import (
    DIRECTORY_TABLE_NAMES,
    Directory,
)

NOW = datetime(2026, 2, 1, 12, 30, 0, tzinfo=UTC)
NOW_TEXT = "2026-02-01T12:30:00Z"
ADA = "ada.lovelace@example.com"
DEPARTMENTS = {"engineering", "sales", "finance", "it", "hr"}
GROUP_NAMES = DEPARTMENTS | {
    "vpn-users",
    "all-staff",
    "contractors",
    "admins",
    "on-call",
    "design-review",
    "finance-approvers",
    "github-users",
    "aws-users",
    "laptop-pilot",
}


def clock() -> datetime:
    return NOW


def fresh(con: duckdb.DuckDBPyConnection) -> Directory:
    """A directory of no run, with a fixed clock."""
    return Directory(con, clock=clock)


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').df() for t in DIRECTORY_TABLE_NAMES}


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for table in a:
        assert_frame_equal(a[table], b[table], check_dtype=True, obj=table)


def one(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> Any:
    row = con.execute(sql, list(params)).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row


def ada_id(con: duckdb.DuckDBPyConnection) -> str:
    return str(one(con, "SELECT id FROM users WHERE email = ?", ADA))


def ada_devices(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT id FROM devices WHERE owner_id = ? ORDER BY id", [ada_id(con)]
    ).fetchall()
    return [r[0] for r in rows]


def group_id(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return str(one(con, 'SELECT id FROM "groups" WHERE name = ?', name))


WRITES: dict[str, Callable[[Directory, duckdb.DuckDBPyConnection, bool], Any]] = {
    "create_user": lambda d, c, dry: d.create_user(
        "Grace", "Hopper", "grace.hopper@example.com", "engineering"
    ),
    "update_user": lambda d, c, dry: d.update_user(
        ada_id(c), department="finance", manager_email=None
    ),
    "suspend_user": lambda d, c, dry: d.suspend_user(ada_id(c)),
    "activate_user": lambda d, c, dry: d.activate_user(
        str(one(c, "SELECT min(id) FROM users WHERE status = 'suspended'"))
    ),
    "reset_mfa": lambda d, c, dry: d.reset_mfa(
        str(one(c, "SELECT min(id) FROM users WHERE mfa_enrolled"))
    ),
    "delete_user": lambda d, c, dry: d.delete_user(ada_id(c)),
    "create_group": lambda d, c, dry: d.create_group("new-group", "New."),
    "add_user_to_group": lambda d, c, dry: d.add_user_to_group(group_id(c, "on-call"), ada_id(c)),
    "remove_user_from_group": lambda d, c, dry: d.remove_user_from_group(
        group_id(c, "contractors"), ada_id(c)
    ),
    "lock_device": lambda d, c, dry: d.lock_device(ada_devices(c)[0]),
    "restart_device": lambda d, c, dry: d.restart_device(ada_devices(c)[0]),
    "erase_device": lambda d, c, dry: d.erase_device(ada_devices(c)[0]),
    "run_command": lambda d, c, dry: d.run_command(ada_devices(c)[0], "uptime"),
    "bind_application": lambda d, c, dry: d.bind_application("app_05", ada_id(c)),
    "unbind_application": lambda d, c, dry: d.unbind_application("app_01", ada_id(c)),
    "send_email": lambda d, c, dry: d.send_email("a@example.com", "s", "b"),
}
