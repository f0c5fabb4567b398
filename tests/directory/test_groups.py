"""wfbench.directory.groups."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from wfbench.directory import (
    Directory,
)
from wfbench.errors import ActionError

from .support import (
    ADA,
    ada_id,
    group_id,
    one,
)


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
