"""wfbench.directory.scim_copy: a SCIM directory's users, groups and memberships copied
into the embedded tables (a snapshot to prototype on, or a plan's scratch copy)."""

from __future__ import annotations

from typing import Any

import duckdb

from wfbench.directory.schema import create_directory
from wfbench.directory.scim_copy import planning_copy, read_copy, replace_with_copy
from wfbench.directory.targets import ScimTarget


def test_a_copy_holds_the_people_their_managers_and_groups(
    scim_target: ScimTarget, scim_people: dict[str, Any]
) -> None:
    tag = scim_people["tag"]
    copy = read_copy(scim_target)
    users = {row[1]: row for row in copy.users}
    alice = users[f"alice.{tag}@example.com"]
    assert alice[0] == scim_people["alice"]["id"]
    manager = f"boss.{tag}@example.com"
    assert alice[2:8] == ("Alice", "Liddell", "engineering", "contractor", manager, "active")
    groups = {row[1]: row[0] for row in copy.groups}
    members = {(g, u) for g, u, _ in copy.memberships}
    assert (groups[f"ops-{tag}"], scim_people["alice"]["id"]) in members
    assert (groups[f"ops-{tag}"], scim_people["bob"]["id"]) not in members
    assert copy.read_at.tzinfo is None  # stored as the embedded tables keep times (UTC)


def test_replacing_empties_the_rest_and_counts_rows(
    scim_target: ScimTarget, scim_people: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    copy = read_copy(scim_target)
    counts = replace_with_copy(con, copy)
    assert counts == {
        "users": len(copy.users),
        "groups": len(copy.groups),
        "memberships": len(copy.memberships),
    }
    assert con.execute("SELECT count(*) FROM devices").fetchone() == (0,)  # the sample's gone
    assert con.execute("SELECT count(*) FROM users").fetchone() == (len(copy.users),)


def test_a_planning_copy_is_a_directory_in_memory(
    scim_target: ScimTarget, scim_people: dict[str, Any]
) -> None:
    con = planning_copy(scim_target)
    try:
        email = f"bob.{scim_people['tag']}@example.com"
        row = con.execute("SELECT id, status FROM users WHERE email = ?", [email]).fetchone()
        assert row == (scim_people["bob"]["id"], "active")
        fresh = duckdb.connect(":memory:")
        create_directory(fresh)  # the same tables as an embedded directory's
        tables = "SELECT table_name FROM information_schema.tables ORDER BY 1"
        assert con.execute(tables).fetchall() == fresh.execute(tables).fetchall()
    finally:
        con.close()
