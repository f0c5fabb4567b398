"""wfbench.testing.changes: a run's directory changes, read from the tables, in words."""

from __future__ import annotations

import duckdb

from wfbench.testing.changes import diff, normalise, snapshot


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
