"""Not reading twice (issue 22, item 3): a record read inside the transaction its owner
holds is handed out again instead of read again, and never once anything could have
changed it: the directory's own writes, the end of the transaction, a write through
another path (``wb.sql``) between two steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel

from wfbench.actions.context import ActionContext
from wfbench.directory import Directory
from wfbench.workbench import Workbench

ADA = "ada.lovelace@example.com"


class Counting:
    """A connection that notes each statement it runs (everything else passes through)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.seen: list[str] = []

    def execute(self, sql: str, params: Any = None) -> Any:
        self.seen.append(" ".join(sql.split()))
        return self.con.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.con, name)

    def reads_of(self, table: str) -> int:
        return sum(s.startswith("SELECT") and f"FROM {table} " in s + " " for s in self.seen)


def _get_then_suspend(db: Path, held: bool) -> tuple[int, Any]:
    con = duckdb.connect(str(db))
    try:
        con.begin()
        counting = Counting(con)
        directory = Directory(counting, run_id="r")  # type: ignore[arg-type]
        directory._hold_reads(held)
        user = directory.get_user(email=ADA)
        after = directory.suspend_user(user.id)
        con.rollback()
        return counting.reads_of("users u"), after
    finally:
        con.close()


def test_a_user_read_in_a_held_transaction_is_not_read_again(db: Path) -> None:
    reads_held, after_held = _get_then_suspend(db, held=True)
    reads_free, after_free = _get_then_suspend(db, held=False)
    assert (reads_held, reads_free) == (1, 2)
    assert after_held == after_free and after_held.status == "suspended"


def test_its_own_writes_and_the_end_of_the_transaction_forget_what_was_read(db: Path) -> None:
    con = duckdb.connect(str(db))
    other = con.cursor()
    try:
        con.begin()
        directory = Directory(con, run_id="r")
        directory._hold_reads(True)
        user = directory.get_user(email=ADA)
        group = user.groups[0].id
        directory.remove_user_from_group(group, user.id)  # changes the user's groups
        assert group not in [g.id for g in directory.suspend_user(user.id).groups]
        directory.get_user(id=user.id)  # read (and kept) again
        directory._hold_reads(False)
        con.commit()
        other.execute("UPDATE users SET department = 'moved' WHERE id = ?", [user.id])
        con.begin()
        directory._hold_reads(True)
        assert directory.activate_user(user.id).department == "moved"
        con.rollback()
    finally:
        other.close()
        con.close()


def test_a_record_handed_out_again_is_a_new_object(db: Path) -> None:
    con = duckdb.connect(str(db))
    try:
        con.begin()
        directory = Directory(con)
        directory._hold_reads(True)
        first = directory.get_user(id=directory.get_user(email=ADA).id)
        first.groups.clear()
        first.status = "suspended"
        again = directory.get_user(id=first.id)
        assert again.status == "active" and again.groups
        con.rollback()
    finally:
        con.close()


class Nothing(BaseModel):
    pass


def test_a_write_through_wb_sql_between_two_steps_is_seen(wb: Workbench) -> None:
    """A user read after the run's transaction committed is not kept (nothing holds other
    commits out then): the step after ``wb.sql`` changed the user reads the change."""
    uid = str(wb.sql("SELECT id FROM users WHERE email = ?", [ADA]).iloc[0, 0])

    @wb.action("custom.noop", input=Nothing, output=Nothing, side_effects=True)
    def noop(params: Nothing, ctx: ActionContext) -> Nothing:
        return Nothing()  # its own transaction: begun, then committed

    @wb.action("custom.move", input=Nothing, output=Nothing, side_effects=False)
    def move(params: Nothing, ctx: ActionContext) -> Nothing:
        wb.sql("UPDATE users SET department = 'moved' WHERE id = ?", [uid])
        return Nothing()

    def act(id_: str, action: str, **with_: Any) -> dict[str, Any]:
        return {"id": id_, "kind": "action", "action": action, "with": with_}

    wb.save(
        {
            "format": "wfbench/v1",
            "name": "t",
            "run_as": "administrator",
            "steps": [
                act("noop", "custom.noop"),
                act("by_email", "users.get", email=ADA),
                act("move", "custom.move"),
                act("by_id", "users.get", id=uid),
                act("suspend", "users.suspend", user_id=uid),
            ],
        }
    )
    run = wb.run("t")
    assert run.status == "succeeded", run.error
    outputs = {s.node: s.output for s in run.steps}
    assert outputs["by_email"]["department"] != "moved"
    assert outputs["by_id"]["department"] == "moved"
    assert outputs["suspend"]["department"] == "moved"


def test_the_recorder_forgets_what_was_read_when_its_transaction_commits(db: Path) -> None:
    """Between a commit and the next begin, reads run one statement per transaction: a user
    read before the commit must be read again after it (another cursor may have changed it)."""
    from wfbench.store import Store
    from wfbench.store.recorder import Recorder

    store = Store(db)
    with store.session() as cur:
        recorder = Recorder(store)
        directory = recorder.directory(frozenset({"users:read", "users:write"}), "r")
        recorder._begin()
        uid = directory.get_user(email=ADA).id
        assert directory.get_user(id=uid).department != "moved"  # kept, held
        recorder.commit()
        cur.execute("UPDATE users SET department = 'moved' WHERE id = ?", [uid])
        assert directory.get_user(id=uid).department == "moved"
    store.close()
