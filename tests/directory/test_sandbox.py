"""Dry runs: the sandbox transaction (wfbench.directory.sandbox)."""

from __future__ import annotations

import duckdb
import pytest

from wfbench.directory import (
    Directory,
    sandbox,
)
from wfbench.errors import ActionError, WfbenchError

from .support import (
    ADA,
    WRITES,
    ada_id,
    assert_same_tables,
    clock,
    fresh,
    group_id,
    snapshot,
)


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
