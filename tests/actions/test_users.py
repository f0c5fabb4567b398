"""wfbench.actions.users: look users up, search, create, change, suspend and delete them."""

from __future__ import annotations

import duckdb
import pytest
from pydantic import ValidationError

from wfbench.actions.users import SPECS, GetUserParams, SearchUsersParams

from .support import ADA, ada, call, context, flags, one


def test_a_user_is_found_by_id_or_email_and_one_of_them_is_needed(
    con: duckdb.DuckDBPyConnection,
) -> None:
    by_email = call("users.get", {"email": ADA}, context(con))
    assert call("users.get", {"id": by_email.id}, context(con)) == by_email
    with pytest.raises(ValidationError, match="give the user's id or email"):
        GetUserParams.model_validate({})


def test_search_filters_and_is_bounded(con: duckdb.DuckDBPyConnection) -> None:
    found = call(
        "users.search", {"group": "contractors", "employee_type": "contractor"}, context(con)
    )
    assert found.count == len(found.users) >= 2
    assert all(u.employee_type == "contractor" for u in found.users)
    assert all("contractors" in {g.name for g in u.groups} for u in found.users)
    assert call("users.search", {"group": "contractors", "limit": 1}, context(con)).count == 1
    with pytest.raises(ValidationError):
        SearchUsersParams.model_validate({"limit": 1001})


def test_suspend_activate_reset_and_delete_report_each_change(
    con: duckdb.DuckDBPyConnection,
) -> None:
    uid, ctx = ada(con), context(con)
    assert call("users.suspend", {"user_id": uid}, ctx).status == "suspended"
    assert call("users.activate", {"user_id": uid}, ctx).status == "active"
    assert call("users.reset_mfa", {"user_id": uid}, ctx).mfa_enrolled is False
    assert call("users.delete", {"user_id": uid}, ctx).deleted is True
    assert one(con, "SELECT count(*) FROM users WHERE id = ?", uid) == 0
    assert ctx.changes[:2] == [
        f"suspended {ADA} (active → suspended)",
        f"activated {ADA} (suspended → active)",
    ]
    assert len(ctx.changes) >= 3


def test_reads_have_no_side_effects_and_writes_join_the_batch() -> None:
    declared = flags(SPECS)
    assert declared.pop("users.get") == declared.pop("users.search") == (False, False, False)
    assert set(declared.values()) == {(True, True, True)}
    assert {s.name: s.permissions for s in SPECS}["users.delete"] == {"users:delete"}


def test_update_leaves_out_what_the_step_did_not_give(con: duckdb.DuckDBPyConnection) -> None:
    uid = ada(con)
    manager = one(con, "SELECT manager_email FROM users WHERE id = ?", uid)
    out = call("users.update", {"user_id": uid, "last_name": "Byron"}, context(con))
    assert (out.last_name, out.manager_email) == ("Byron", manager)
    out = call("users.update", {"user_id": uid, "manager_email": None}, context(con))
    assert out.manager_email is None
