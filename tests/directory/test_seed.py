"""wfbench.directory.seed and schema: the sample organisation and its tables."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from wfbench.directory import (
    DIRECTORY_TABLE_NAMES,
    DIRECTORY_TABLES,
    Directory,
    create_directory,
    seed_demo,
)
from wfbench.errors import ActionError, WfbenchError

from .support import (
    ADA,
    DEPARTMENTS,
    GROUP_NAMES,
    assert_same_tables,
    group_id,
    one,
    snapshot,
)


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
