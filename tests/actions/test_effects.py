"""wfbench.actions.effects: a handler's directory, with every change reported to the step."""

from __future__ import annotations

import duckdb
import pytest

from wfbench.actions.effects import NO_DIRECTORY, directory_of
from wfbench.errors import ActionError

from .support import ada, context, one


def test_changes_made_through_the_directory_reach_the_step(
    con: duckdb.DuckDBPyConnection,
) -> None:
    ctx = context(con)
    with directory_of(ctx) as directory:
        directory.suspend_user(ada(con))
        directory.get_user(id=ada(con))  # a read reports nothing
    assert ctx.changes == ["suspended ada.lovelace@example.com (active → suspended)"]
    assert one(con, "SELECT status FROM users WHERE id = ?", ada(con)) == "suspended"


def test_without_a_directory_the_handler_is_told_what_it_needs() -> None:
    with (
        pytest.raises(ActionError, match="needs the embedded directory"),
        directory_of(context(None)),
    ):
        pass
    assert NO_DIRECTORY.endswith("open a Workbench store")
