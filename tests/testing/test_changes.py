"""The change log a case's sandbox keeps (issue 22, item 2): what it finds from the rows
the run wrote is exactly what comparing every table before and after finds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from wfbench.directory import Directory
from wfbench.testing.changes import ChangeLog, diff, normalise, snapshot

ADA = "u_0038"  # a contractor of the demo organisation, in groups, with a device


def _ids(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    def one(sql: str) -> Any:
        row = con.execute(sql).fetchone()
        assert row is not None, sql
        return row[0]

    found = {
        "member": one(
            "SELECT user_id FROM memberships WHERE user_id NOT IN (SELECT owner_id FROM devices "
            "WHERE owner_id IS NOT NULL ORDER BY 1 LIMIT 1) AND user_id <> 'u_0038' "
            "ORDER BY 1 LIMIT 1"
        ),
        "owner": one("SELECT owner_id FROM devices WHERE owner_id IS NOT NULL ORDER BY 1 LIMIT 1"),
        "device": one("SELECT id FROM devices WHERE status = 'active' ORDER BY 1 LIMIT 1"),
        "group": one('SELECT id FROM "groups" ORDER BY 1 LIMIT 1'),
        "app": one("SELECT id FROM applications ORDER BY 1 LIMIT 1"),
    }
    busy = [found["member"], found["owner"], ADA]
    found["mfa"] = one(
        "SELECT id FROM users WHERE mfa_enrolled AND status = 'active' "
        f"AND id NOT IN ({', '.join(repr(b) for b in busy)}) ORDER BY id LIMIT 1"
    )
    return found


Work = Callable[[Directory, dict[str, Any]], None]


def _everything(d: Directory, ids: dict[str, Any]) -> None:
    new = d.create_user("Grace", "Hopper", "grace.h@example.com", "engineering")
    d.update_user(new.id, department="research")
    d.add_user_to_group(ids["group"], new.id)
    d.bind_application(ids["app"], new.id)
    d.suspend_user(ADA)
    d.reset_mfa(ids["mfa"])
    d.update_user(ids["mfa"], first_name="Renamed")
    group = d.create_group("Auditors", "people who audit")
    d.add_user_to_group(group.id, ADA)
    d.delete_user(ids["owner"])
    d.delete_user(ids["member"])
    app, user = d._rows("SELECT application_id, user_id FROM bindings ORDER BY 1, 2 LIMIT 1")[0]
    d.unbind_application(app, user)
    d.lock_device(ids["device"])
    d.restart_device(ids["device"])
    d.run_command(ids["device"], "uptime")
    d.send_email("someone@example.com", "Hi", "Hello")


def _changed_back(d: Directory, ids: dict[str, Any]) -> None:
    """Changes undone within the run: nothing to report."""
    d.suspend_user(ADA)
    d.activate_user(ADA)
    new = d.create_user("Temp", "Person", "temp@example.com", "sales")
    d.add_user_to_group(ids["group"], new.id)
    d.delete_user(new.id)


def _nothing(d: Directory, ids: dict[str, Any]) -> None:
    d.get_user(id=ADA)
    d.devices_for_user(ADA)


@pytest.mark.parametrize("work", [_everything, _changed_back, _nothing])
def test_the_log_finds_what_comparing_every_table_finds(db: Path, work: Work) -> None:
    con = duckdb.connect(str(db))
    try:
        con.begin()
        ids = _ids(con)
        before = snapshot(con)
        log = ChangeLog()
        work(Directory(con, run_id="r1", watcher=log), ids)
        expected = diff(before, snapshot(con))
        assert sorted(log.changes(con)) == sorted(expected)
        con.rollback()
    finally:
        con.close()
    if work is _everything:  # every kind of change was made, so each kind was compared
        kinds = {c.split()[0] for c in expected}
        assert kinds >= {
            *("creates", "updates", "adds", "binds", "suspends", "resets", "deletes"),
            *("removes", "unbinds", "locks", "restarts", "runs", "emails", "unassigns"),
        }
    if work is _changed_back or work is _nothing:
        assert expected == []


def test_the_log_reads_only_the_rows_written(db: Path) -> None:
    """Touched rows are read once each, never a whole table."""
    con = duckdb.connect(str(db))
    try:
        con.begin()
        log = ChangeLog()
        d = Directory(con, watcher=log)
        d.suspend_user(ADA)
        d.reset_mfa(ADA)
        d.send_email("someone@example.com", "Hi", "Hello")
        assert {t: len(k) for t, k in log.keys.items()} == {"users": 1, "outbox": 1}
        assert list(log.old) == ["users"] and list(log.old["users"]) == [(ADA,)]
        assert log.old["users"][(ADA,)]["status"] == "active"
        con.rollback()
    finally:
        con.close()


def test_changes_are_read_from_the_tables_in_table_order(con: duckdb.DuckDBPyConnection) -> None:
    (user,) = con.execute(  # type: ignore[misc]
        "SELECT min(id) FROM users WHERE status = 'active'"
    ).fetchone()
    group, member = con.execute(  # type: ignore[misc]
        "SELECT group_id, user_id FROM memberships ORDER BY ALL LIMIT 1"
    ).fetchone()
    before = snapshot(con)
    con.execute("UPDATE users SET status = 'suspended' WHERE id = ?", [user])
    con.execute("UPDATE users SET department = 'Elsewhere' WHERE id = ?", [user])
    con.execute("DELETE FROM memberships WHERE group_id = ? AND user_id = ?", [group, member])
    after = snapshot(con)
    assert diff(before, after) == [
        f"updates {user} department",  # the columns' order
        f"suspends {user}",
        f"removes {member} from {group}",
    ]
    assert diff(after, after) == []
    assert diff(after, before)[-1] == f"adds {member} to {group}"


def test_normalise_folds_case_and_spaces() -> None:
    assert normalise("  Suspends   U_0042 ") == "suspends u_0042"
