"""wfbench.directory.users."""

from __future__ import annotations

import re
from datetime import datetime

import duckdb
import pytest

from wfbench.directory import (
    Directory,
)
from wfbench.errors import ActionError

from .support import (
    ADA,
    NOW_TEXT,
    ada_devices,
    ada_id,
    assert_same_tables,
    group_id,
    one,
    snapshot,
)


def test_get_user_by_id_or_email(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    uid = ada_id(con)
    by_email = d.get_user(email="  Ada.LOVELACE@example.com ")
    assert by_email == d.get_user(id=uid) == d.get_user(id=uid, email=ADA)
    assert by_email.first_name == "Ada" and by_email.last_name == "Lovelace"
    expected = con.execute(
        'SELECT g.id, g.name FROM memberships m JOIN "groups" g ON g.id = m.group_id '
        "WHERE m.user_id = ? ORDER BY g.name",
        [uid],
    ).fetchall()
    assert [(g.id, g.name) for g in by_email.groups] == expected
    created = one(con, "SELECT created_at FROM users WHERE id = ?", uid)
    assert by_email.created_at == created.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"email": "grace.hopper@example.com"}, "no user with email 'grace.hopper@example.com'"),
        ({"id": "u_9999"}, "no user with id 'u_9999'"),
        ({"id": "u_0001", "email": "nobody@example.com"}, "id 'u_0001' and email 'nobody@"),
        ({}, "give the user's id or email"),
    ],
)
def test_get_user_not_found_names_what_was_looked_for(
    d: Directory, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(ActionError, match=re.escape(message)):
        d.get_user(**kwargs)


def test_search_users(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    found = d.search_users(department="engineering", employee_type="contractor", limit=1000)
    expected = con.execute(
        "SELECT id FROM users WHERE department = 'engineering' "
        "AND employee_type = 'contractor' ORDER BY id"
    ).fetchall()
    assert [u.id for u in found.users] == [r[0] for r in expected]
    assert found.count == len(expected) > 0
    assert d.search_users(limit=7).count == 7
    suspended = d.search_users(status="suspended", limit=1000)
    assert suspended.count == one(con, "SELECT count(*) FROM users WHERE status = 'suspended'")
    in_group = d.search_users(group="Finance-Approvers", limit=1000)
    members = con.execute(
        "SELECT user_id FROM memberships WHERE group_id = ? ORDER BY user_id",
        [group_id(con, "finance-approvers")],
    ).fetchall()
    assert [u.id for u in in_group.users] == [r[0] for r in members]
    assert all("finance-approvers" in {g.name for g in u.groups} for u in in_group.users)
    assert d.search_users(department="legal").count == 0
    with pytest.raises(ActionError, match="no group named 'nope'"):
        d.search_users(group="nope")


def test_create_user(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    user = d.create_user(
        "Grace",
        "Hopper",
        "Grace.Hopper@Example.com",
        "engineering",
        manager_email=ADA,
    )
    assert user.id == "u_0241"
    assert user.email == "grace.hopper@example.com"
    assert (user.status, user.mfa_enrolled, user.groups) == ("active", False, [])
    assert user.created_at == NOW_TEXT
    row = one(con, "SELECT * FROM users WHERE id = 'u_0241'")
    assert row == (
        "u_0241",
        "grace.hopper@example.com",
        "Grace",
        "Hopper",
        "engineering",
        "employee",
        ADA,
        "active",
        False,
        datetime(2026, 2, 1, 12, 30),
    )
    assert d.get_user(email="grace.hopper@example.com") == user
    assert d.changes == ["created user grace.hopper@example.com (u_0241)"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"email": "ADA.lovelace@example.com"}, "already exists"),
        ({"email": "not-an-email"}, "is not an email address"),
        ({"employee_type": "intern"}, "employee or contractor"),
        ({"first_name": "  "}, "first_name must not be empty"),
    ],
)
def test_create_user_refusals(
    d: Directory, con: duckdb.DuckDBPyConnection, kwargs: dict[str, str], message: str
) -> None:
    args = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace.hopper@example.com",
        "department": "engineering",
    } | kwargs
    before = snapshot(con)
    with pytest.raises(ActionError, match=message):
        d.create_user(**args)
    assert_same_tables(before, snapshot(con))


def test_update_user(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    uid = ada_id(con)
    user = d.update_user(uid, department="sales", last_name="King", manager_email=None)
    assert (user.department, user.last_name, user.manager_email) == ("sales", "King", None)
    assert one(con, "SELECT department, last_name, manager_email FROM users WHERE id = ?", uid) == (
        "sales",
        "King",
        None,
    )
    assert d.changes[-1].startswith(f"updated {ADA}: department engineering → sales")
    # None for any field but manager_email leaves it as it is; no change, no note.
    assert d.update_user(uid, first_name=None, department="sales") == user
    assert len(d.changes) == 1
    renamed = d.update_user(uid, email="Ada.King@Example.com")
    assert renamed.email == "ada.king@example.com"
    assert d.get_user(email="ada.king@example.com").id == uid
    with pytest.raises(ActionError, match="already exists"):
        d.update_user(uid, email=str(one(con, "SELECT email FROM users WHERE id <> ?", uid)))
    with pytest.raises(ActionError, match="cannot change status"):
        d.update_user(uid, status="suspended")
    with pytest.raises(ActionError, match="no user with id 'u_9999'"):
        d.update_user("u_9999", department="it")


def test_suspend_activate_reset_mfa(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    uid = ada_id(con)
    con.execute("UPDATE users SET mfa_enrolled = true WHERE id = ?", [uid])
    assert d.suspend_user(uid).status == "suspended"
    assert one(con, "SELECT status FROM users WHERE id = ?", uid) == "suspended"
    assert d.suspend_user(uid).status == "suspended"  # already: nothing to do
    assert d.activate_user(uid).status == "active"
    assert one(con, "SELECT status FROM users WHERE id = ?", uid) == "active"
    assert d.reset_mfa(uid).mfa_enrolled is False
    assert one(con, "SELECT mfa_enrolled FROM users WHERE id = ?", uid) is False
    assert d.changes == [
        f"suspended {ADA} (active → suspended)",
        f"activated {ADA} (suspended → active)",
        f"reset the MFA of {ADA} (enrolled → not enrolled)",
    ]


def test_delete_user(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    uid = ada_id(con)
    devices = ada_devices(con)
    groups = one(con, "SELECT count(*) FROM memberships WHERE user_id = ?", uid)
    bindings = one(con, "SELECT count(*) FROM bindings WHERE user_id = ?", uid)
    result = d.delete_user(uid)
    assert (result.id, result.deleted) == (uid, True)
    for sql in (
        "SELECT count(*) FROM users WHERE id = ?",
        "SELECT count(*) FROM memberships WHERE user_id = ?",
        "SELECT count(*) FROM bindings WHERE user_id = ?",
        "SELECT count(*) FROM devices WHERE owner_id = ?",
    ):
        assert one(con, sql, uid) == 0
    assert one(con, "SELECT count(*) FROM devices WHERE id IN ? AND owner_id IS NULL", devices) == 2
    assert d.changes == [
        f"deleted user {ADA} ({uid}; left {groups} groups, lost {bindings} application "
        f"bindings, {len(devices)} devices unassigned)"
    ]
    with pytest.raises(ActionError, match=f"no user with id '{uid}'"):
        d.delete_user(uid)


def test_delete_inside_callers_transaction_uses_it(con: duckdb.DuckDBPyConnection) -> None:
    uid = ada_id(con)
    con.begin()
    Directory(con).delete_user(uid)
    con.rollback()
    assert one(con, "SELECT count(*) FROM users WHERE id = ?", uid) == 1
    assert one(con, "SELECT count(*) FROM memberships WHERE user_id = ?", uid) >= 2
