"""The embedded directory (wfbench.directory): seed, records, effects, dry runs, permissions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from wfbench.directory import (
    DIRECTORY_TABLE_NAMES,
    DIRECTORY_TABLES,
    Directory,
    create_directory,
    sandbox,
    seed_demo,
)
from wfbench.errors import ActionError, PermissionDenied, WfbenchError

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


@pytest.fixture
def d(con: duckdb.DuckDBPyConnection) -> Directory:
    return Directory(con, run_id="run-1", clock=clock)


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


# -- seed --------------------------------------------------------------------------------------


def test_seed_is_deterministic(tmp_path: Path) -> None:
    tables = []
    for name in ("a", "b"):
        c = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
        seed_demo(c, seed=7)
        tables.append(snapshot(c))
        c.close()
    assert_same_tables(tables[0], tables[1])
    other = duckdb.connect(str(tmp_path / "c.duckdb"))
    seed_demo(other, seed=8)
    assert not tables[0]["users"].equals(snapshot(other)["users"])
    other.close()


def test_seed_counts_and_shape(con: duckdb.DuckDBPyConnection) -> None:
    users = con.execute("SELECT * FROM users").df()
    assert len(users) >= 200
    assert set(users["department"]) == DEPARTMENTS
    contractors = (users["employee_type"] == "contractor").mean()
    assert 0.12 <= contractors <= 0.18
    assert set(users["status"]) == {"active", "suspended"}
    assert users["email"].is_unique
    assert all(e == e.lower() and e.endswith("@example.com") for e in users["email"])
    assert all(re.fullmatch(r"u_\d{4}", i) for i in users["id"])
    assert sorted(users["id"]) == [f"u_{n:04d}" for n in range(1, len(users) + 1)]
    # Every manager is an employee of the same department.
    by_email = users.set_index("email")
    managed = users[users["manager_email"].notna()]
    assert len(managed) > len(users) * 0.9
    for _, row in managed.iterrows():
        manager = by_email.loc[row["manager_email"]]
        assert manager["department"] == row["department"]
        assert manager["employee_type"] == "employee"

    groups = con.execute('SELECT * FROM "groups" ORDER BY id').df()
    assert len(groups) == 15
    assert set(groups["name"]) == GROUP_NAMES
    assert list(groups["id"]) == [f"g_{n:02d}" for n in range(1, 16)]
    assert all(groups["description"].str.len() > 0)

    # Everyone is in their department group and all-staff; contractors in contractors.
    for name, where in [
        ("all-staff", "TRUE"),
        ("contractors", "employee_type = 'contractor'"),
        *[(dep, f"department = '{dep}'") for dep in DEPARTMENTS],
    ]:
        members = set(
            r[0]
            for r in con.execute(
                "SELECT user_id FROM memberships WHERE group_id = ?", [group_id(con, name)]
            ).fetchall()
        )
        expected = {r[0] for r in con.execute(f"SELECT id FROM users WHERE {where}").fetchall()}
        assert members == expected, name

    devices = con.execute("SELECT * FROM devices ORDER BY id").df()
    assert len(devices) == 300
    assert set(devices["os"]) == {"macos", "windows", "linux"}
    assert 0 < devices["owner_id"].isna().sum() <= 10
    assert set(devices["owner_id"].dropna()) <= set(users["id"])
    for _, row in devices.iterrows():
        match = re.fullmatch(r"(LT|WS)-(ENG|SAL|FIN|IT|HR|POOL)-(\d{4})", row["name"])
        assert match, row["name"]
        assert row["id"] == f"d_{match.group(3)}"

    apps = set(r[0] for r in con.execute("SELECT name FROM applications").fetchall())
    assert {"Slack", "GitHub", "Google Workspace", "Zoom", "AWS Console"} <= apps
    assert 4 <= len(apps) <= 6
    assert one(con, "SELECT count(*) FROM bindings") > 0
    assert one(con, "SELECT count(*) FROM commands") == 0
    assert one(con, "SELECT count(*) FROM outbox") == 0


def test_seed_returns_rows_per_table(tmp_path: Path) -> None:
    c = duckdb.connect(str(tmp_path / "x.duckdb"))
    counts = seed_demo(c)
    assert list(counts) == list(DIRECTORY_TABLE_NAMES)
    for table, count in counts.items():
        assert one(c, f'SELECT count(*) FROM "{table}"') == count
    assert counts["users"] == 240 and counts["groups"] == 15 and counts["devices"] == 300
    c.close()


def test_sample_workflow_fixtures(con: duckdb.DuckDBPyConnection) -> None:
    ada = Directory(con).get_user(email=ADA)
    assert ada.employee_type == "contractor"
    assert ada.status == "active"
    assert ada.manager_email is not None
    assert one(con, "SELECT count(*) FROM users WHERE email = ?", ada.manager_email) == 1
    assert len(ada.groups) >= 2
    devices = Directory(con).devices_for_user(ada.id)
    assert devices.count >= 2
    assert all(dev.status == "active" for dev in devices.devices)
    assert one(con, "SELECT count(*) FROM users WHERE email LIKE 'grace.hopper%'") == 0


def test_seeding_twice_refuses(con: duckdb.DuckDBPyConnection) -> None:
    before = snapshot(con)
    with pytest.raises(WfbenchError, match=r"already holds 240 users.*fresh store"):
        seed_demo(con)
    assert_same_tables(before, snapshot(con))


def test_create_directory_is_idempotent_and_quotes_groups(tmp_path: Path) -> None:
    c = duckdb.connect(str(tmp_path / "empty.duckdb"))
    create_directory(c)
    create_directory(c)
    tables = {r[0] for r in c.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == set(DIRECTORY_TABLE_NAMES)
    assert len(DIRECTORY_TABLES) == len(DIRECTORY_TABLE_NAMES)
    with pytest.raises(ActionError, match=re.escape(f"no user with email '{ADA}'")):
        Directory(c).get_user(email=ADA)
    c.close()


# -- users -------------------------------------------------------------------------------------


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


# -- groups ------------------------------------------------------------------------------------


def test_get_group(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    gid = group_id(con, "vpn-users")
    group = d.get_group(name="VPN-Users")
    assert group == d.get_group(id=gid)
    assert (group.id, group.name) == (gid, "vpn-users")
    assert group.description == "May connect to the corporate VPN."
    assert group.member_count == one(
        con, "SELECT count(*) FROM memberships WHERE group_id = ?", gid
    )
    with pytest.raises(ActionError, match="no group with name 'vpn'"):
        d.get_group(name="vpn")
    with pytest.raises(ActionError, match="no group with id 'g_99'"):
        d.get_group(id="g_99")


def test_create_group(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    group = d.create_group("release-managers", "Ship the releases.")
    assert (group.id, group.name, group.member_count) == ("g_16", "release-managers", 0)
    assert one(con, 'SELECT * FROM "groups" WHERE id = ?', "g_16") == (
        "g_16",
        "release-managers",
        "Ship the releases.",
    )
    assert d.changes == ["created group release-managers (g_16)"]
    with pytest.raises(ActionError, match="a group named 'vpn-users' already exists"):
        d.create_group("VPN-users")


def test_list_members(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    gid = group_id(con, "contractors")
    members = d.list_members(gid)
    expected = con.execute(
        "SELECT user_id FROM memberships WHERE group_id = ? ORDER BY user_id", [gid]
    ).fetchall()
    assert [u.id for u in members.users] == [r[0] for r in expected]
    assert members.count == len(expected) == 36
    assert all(u.employee_type == "contractor" for u in members.users)
    with pytest.raises(ActionError, match="no group with id 'g_99'"):
        d.list_members("g_99")


def test_add_and_remove_members(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    uid, gid = ada_id(con), group_id(con, "on-call")
    count = "SELECT count(*) FROM memberships WHERE group_id = ? AND user_id = ?"
    added = d.add_user_to_group(gid, uid)
    assert (added.group_id, added.user_id, added.changed) == (gid, uid, True)
    assert one(con, count, gid, uid) == 1
    assert one(
        con, "SELECT added_at FROM memberships WHERE group_id = ? AND user_id = ?", gid, uid
    ) == datetime(2026, 2, 1, 12, 30)
    assert d.add_user_to_group(gid, uid).changed is False
    assert "on-call" in {g.name for g in d.get_user(id=uid).groups}
    assert d.remove_user_from_group(gid, uid).changed is True
    assert one(con, count, gid, uid) == 0
    assert d.remove_user_from_group(gid, uid).changed is False
    assert d.changes == [f"added {ADA} to group on-call", f"removed {ADA} from group on-call"]
    with pytest.raises(ActionError, match="no user with id 'u_9999'"):
        d.add_user_to_group(gid, "u_9999")
    with pytest.raises(ActionError, match="no group with id 'g_99'"):
        d.remove_user_from_group("g_99", uid)


# -- devices, commands, applications, email ------------------------------------------------------


def test_devices_for_user(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    uid = ada_id(con)
    listed = d.devices_for_user(uid)
    assert [dev.id for dev in listed.devices] == ada_devices(con)
    assert listed.count == 2
    assert all(dev.owner_id == uid for dev in listed.devices)
    with pytest.raises(ActionError, match="no user with id 'u_9999'"):
        d.devices_for_user("u_9999")


def test_lock_restart_erase(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    first, second = ada_devices(con)
    name = one(con, "SELECT name FROM devices WHERE id = ?", first)
    assert d.lock_device(first).status == "locked"
    assert one(con, "SELECT status FROM devices WHERE id = ?", first) == "locked"
    restarted = d.restart_device(first)
    assert (restarted.status, restarted.last_seen) == ("locked", NOW_TEXT)
    assert one(con, "SELECT status, last_seen FROM devices WHERE id = ?", first) == (
        "locked",
        datetime(2026, 2, 1, 12, 30),
    )
    assert d.erase_device(first).status == "erased"
    assert one(con, "SELECT status FROM devices WHERE id = ?", first) == "erased"
    assert d.changes == [
        f"locked device {name} ({first}; active → locked)",
        f"restarted device {name} ({first})",
        f"erased device {name} ({first}; locked → erased)",
    ]
    for refuse in (d.lock_device, d.restart_device):
        with pytest.raises(ActionError, match=f"{first}\\) is erased"):
            refuse(first)
    with pytest.raises(ActionError, match="is erased; it cannot be sent commands"):
        d.run_command(first, "uptime")
    assert d.get_device(second).status == "active"
    with pytest.raises(ActionError, match="no device with id 'd_9999'"):
        d.lock_device("d_9999")


def test_run_command(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    device = ada_devices(con)[0]
    result = d.run_command(device, "sudo jamf recon")
    assert (result.command_id, result.status, result.exit_code, result.output) == (
        "cmd_000001",
        "succeeded",
        0,
        "ran: sudo jamf recon",
    )
    assert d.run_command(device, "uptime").command_id == "cmd_000002"
    assert one(con, "SELECT * FROM commands WHERE id = 'cmd_000001'") == (
        "cmd_000001",
        device,
        "sudo jamf recon",
        "succeeded",
        0,
        "ran: sudo jamf recon",
        "run-1",
        datetime(2026, 2, 1, 12, 30),
    )


def test_bind_and_unbind_application(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    uid = ada_id(con)
    app = str(one(con, "SELECT id FROM applications WHERE name = 'AWS Console'"))
    count = "SELECT count(*) FROM bindings WHERE application_id = ? AND user_id = ?"
    assert one(con, count, app, uid) == 0
    bound = d.bind_application(app, uid)
    assert (bound.application_id, bound.user_id, bound.changed) == (app, uid, True)
    assert one(con, count, app, uid) == 1
    assert d.bind_application(app, uid).changed is False
    assert d.unbind_application(app, uid).changed is True
    assert one(con, count, app, uid) == 0
    assert d.unbind_application(app, uid).changed is False
    assert d.changes == [
        f"gave {ADA} access to AWS Console",
        f"took AWS Console access away from {ADA}",
    ]
    with pytest.raises(ActionError, match="no application with id 'app_99'"):
        d.bind_application("app_99", uid)


def test_send_email(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    sent = d.send_email("Boss@Example.com", "Hello", "Body text")
    assert (sent.message_id, sent.to, sent.subject) == ("msg_000001", "boss@example.com", "Hello")
    assert one(con, "SELECT * FROM outbox") == (
        "msg_000001",
        "boss@example.com",
        "Hello",
        "Body text",
        "run-1",
        datetime(2026, 2, 1, 12, 30),
    )
    assert d.send_email("x@example.com", "2", "").message_id == "msg_000002"
    assert d.changes[0] == "emailed boss@example.com: 'Hello' (msg_000001)"
    with pytest.raises(ActionError, match="recipient 'nobody' is not an email address"):
        d.send_email("nobody", "s", "b")


# -- dry runs ----------------------------------------------------------------------------------

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


@pytest.mark.parametrize("method", sorted(WRITES))
def test_dry_run_writes_nothing_and_returns_the_would_be_output(
    con: duckdb.DuckDBPyConnection, method: str
) -> None:
    write = WRITES[method]
    before = snapshot(con)
    with sandbox(con, clock=clock) as dry:
        would = write(dry, con, True)
    assert_same_tables(before, snapshot(con))
    assert len(dry.changes) == 1 and dry.changes[0].startswith("would ")

    real = fresh(con)
    done = write(real, con, False)
    assert would == done
    assert len(real.changes) == 1 and not real.changes[0].startswith("would ")
    assert dry.changes[0].removeprefix("would ").split()[1:3] == real.changes[0].split()[1:3]
    with pytest.raises(AssertionError):
        assert_same_tables(before, snapshot(con))


def test_a_dry_run_directory_needs_a_sandbox(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(WfbenchError, match="sandbox"):
        Directory(con, dry_run=True)


def test_dry_run_remembers_within_a_run(con: duckdb.DuckDBPyConnection) -> None:
    """A dry run sees what its earlier steps would have done (onboarding, simulated)."""
    before = snapshot(con)
    run = con.cursor()  # the run's sandbox: one transaction, rolled back at the end
    run.begin()
    step1 = Directory(run, run_id="dry-1", clock=clock, dry_run=True)
    grace = step1.create_user("Grace", "Hopper", "grace.hopper@example.com", "it")
    assert grace.id == "u_0241"
    # Later steps build their own Directory for the same run.
    step2 = Directory(run, run_id="dry-1", clock=clock, dry_run=True)
    assert step2.get_user(email="GRACE.hopper@example.com") == grace
    joined = step2.add_user_to_group(group_id(con, "vpn-users"), grace.id)
    assert joined.changed is True
    again = step2.create_user("Alan", "Turing", "alan.turing@example.com", "it")
    assert again.id == "u_0242"
    with pytest.raises(ActionError, match="already exists"):
        step2.create_user("G", "H", "grace.hopper@example.com", "it")
    suspended = step2.suspend_user(ada_id(con))
    assert Directory(run, run_id="dry-1").get_user(email=ADA) == suspended
    step2.delete_user(ada_id(con))
    with pytest.raises(ActionError, match="no user with id"):
        Directory(run, run_id="dry-1").get_user(id=ada_id(con))
    # Another run does not see it, and nothing was written.
    with pytest.raises(ActionError, match=r"no user with email 'grace\.hopper"):
        Directory(con, run_id="other").get_user(email="grace.hopper@example.com")
    assert Directory(con, run_id="other").get_user(email=ADA).status == "active"
    run.rollback()
    assert_same_tables(before, snapshot(con))


# -- permissions -------------------------------------------------------------------------------

CALLS: dict[str, tuple[set[str], Callable[[Directory, duckdb.DuckDBPyConnection], Any]]] = {
    "get_user": ({"users:read"}, lambda d, c: d.get_user(email=ADA)),
    "search_users": ({"users:read"}, lambda d, c: d.search_users()),
    "create_user": ({"users:write"}, lambda d, c: WRITES["create_user"](d, c, False)),
    "update_user": ({"users:write"}, lambda d, c: WRITES["update_user"](d, c, False)),
    "suspend_user": ({"users:write"}, lambda d, c: WRITES["suspend_user"](d, c, False)),
    "activate_user": ({"users:write"}, lambda d, c: WRITES["activate_user"](d, c, False)),
    "reset_mfa": ({"users:write"}, lambda d, c: WRITES["reset_mfa"](d, c, False)),
    "delete_user": ({"users:delete"}, lambda d, c: WRITES["delete_user"](d, c, False)),
    "get_group": ({"groups:read"}, lambda d, c: d.get_group(name="it")),
    "create_group": ({"groups:write"}, lambda d, c: WRITES["create_group"](d, c, False)),
    "list_members": ({"groups:read", "users:read"}, lambda d, c: d.list_members("g_01")),
    "add_user_to_group": (
        {"groups:write"},
        lambda d, c: WRITES["add_user_to_group"](d, c, False),
    ),
    "remove_user_from_group": (
        {"groups:write"},
        lambda d, c: WRITES["remove_user_from_group"](d, c, False),
    ),
    "get_device": ({"devices:read"}, lambda d, c: d.get_device("d_0001")),
    "devices_for_user": ({"devices:read"}, lambda d, c: d.devices_for_user(ada_id(c))),
    "lock_device": ({"devices:write"}, lambda d, c: WRITES["lock_device"](d, c, False)),
    "restart_device": ({"devices:write"}, lambda d, c: WRITES["restart_device"](d, c, False)),
    "erase_device": ({"devices:erase"}, lambda d, c: WRITES["erase_device"](d, c, False)),
    "run_command": ({"commands:run"}, lambda d, c: WRITES["run_command"](d, c, False)),
    "bind_application": (
        {"applications:write"},
        lambda d, c: WRITES["bind_application"](d, c, False),
    ),
    "unbind_application": (
        {"applications:write"},
        lambda d, c: WRITES["unbind_application"](d, c, False),
    ),
    "send_email": ({"notifications:send"}, lambda d, c: WRITES["send_email"](d, c, False)),
}


def test_every_public_method_is_covered() -> None:
    public = {
        name
        for name in dir(Directory)  # its methods live in one part per record kind
        if not name.startswith("_") and callable(getattr(Directory, name))
    }
    assert public - {"on", "reporting"} == set(CALLS)
    assert set(WRITES) < set(CALLS)


@pytest.mark.parametrize("method", sorted(CALLS))
def test_permissions_are_checked_first(con: duckdb.DuckDBPyConnection, method: str) -> None:
    needed, call = CALLS[method]
    everything_else = frozenset(
        {
            "users:read",
            "users:write",
            "users:delete",
            "groups:read",
            "groups:write",
            "devices:read",
            "devices:write",
            "devices:erase",
            "applications:read",
            "applications:write",
            "commands:run",
            "notifications:send",
            "http:call",
        }
        - needed
    )
    before = snapshot(con)
    for held in (everything_else, frozenset()):
        with pytest.raises(PermissionDenied) as refused:
            call(Directory(con, held), con)
        message = str(refused.value)
        assert message.startswith(f"{method} needs ")
        for permission in needed:
            assert permission in message
    assert_same_tables(before, snapshot(con))
    call(Directory(con, frozenset(needed)), con)  # exactly what it needs is enough


def test_reporting_passes_each_change_to_the_sink(con: duckdb.DuckDBPyConnection) -> None:
    d = Directory(con)
    seen: list[str] = []
    d.suspend_user(ada_id(con))
    with d.reporting(seen.append) as same:
        assert same is d
        same.activate_user(ada_id(con))
        same.lock_device(ada_devices(con)[0])
    d.suspend_user(ada_id(con))
    assert seen == [d.changes[1], d.changes[2]]
    assert len(d.changes) == 4
    other = d.on(con.cursor())
    other.activate_user(ada_id(con))
    assert len(d.changes) == 5
