"""wfbench.actions.applications: give a user access to an application, or take it away."""

from __future__ import annotations

import duckdb
import pytest
from pydantic import ValidationError

from wfbench.actions.applications import SPECS, BindingParams

from .support import ada, call, context, flags, one


def bound(con: duckdb.DuckDBPyConnection, user: str) -> int:
    sql = "SELECT count(*) FROM bindings WHERE application_id = 'app_05' AND user_id = ?"
    return int(one(con, sql, user))


def test_bind_then_unbind_says_whether_anything_changed(con: duckdb.DuckDBPyConnection) -> None:
    user = ada(con)
    given = {"application_id": "app_05", "user_id": user}
    ctx = context(con)
    first = call("applications.bind_user", given, ctx)
    again = call("applications.bind_user", given, ctx)
    assert (first.changed, again.changed, bound(con, user)) == (True, False, 1)
    assert ctx.changes == ["gave ada.lovelace@example.com access to AWS Console"]
    gone = call("applications.unbind_user", given, context(con))
    assert gone.changed and bound(con, user) == 0


def test_both_write_applications_and_join_the_runs_batch() -> None:
    assert flags(SPECS) == {
        "applications.bind_user": (True, True, True),
        "applications.unbind_user": (True, True, True),
    }
    assert all(s.permissions == {"applications:write"} for s in SPECS)
    with pytest.raises(ValidationError):
        BindingParams.model_validate({"application_id": "", "user_id": "u"})
