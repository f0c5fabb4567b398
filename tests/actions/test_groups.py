"""wfbench.actions.groups: look up and create groups, list and change their members."""

from __future__ import annotations

import duckdb
import pytest
from pydantic import ValidationError

from wfbench.actions.groups import SPECS, GetGroupParams

from .support import ADA, ada, call, context, flags


def test_a_group_is_found_by_id_or_name_and_one_of_them_is_needed(
    con: duckdb.DuckDBPyConnection,
) -> None:
    by_name = call("groups.get", {"name": "contractors"}, context(con))
    assert call("groups.get", {"id": by_name.id}, context(con)) == by_name
    with pytest.raises(ValidationError, match="give the group's id or name"):
        GetGroupParams.model_validate({})


def test_a_new_groups_members_come_and_go(con: duckdb.DuckDBPyConnection) -> None:
    ctx = context(con)
    group = call("groups.create", {"name": "sre", "description": "SRE."}, ctx)
    assert (group.name, group.description, group.member_count) == ("sre", "SRE.", 0)
    given = {"group_id": group.id, "user_id": ada(con)}
    assert call("groups.add_user", given, ctx).changed is True
    assert call("groups.add_user", given, ctx).changed is False  # already in: no change
    members = call("groups.list_members", {"group_id": group.id}, ctx)
    assert [u.email for u in members.users] == [ADA] and members.count == 1
    assert call("groups.remove_user", given, ctx).changed is True
    assert call("groups.list_members", {"group_id": group.id}, ctx).count == 0
    assert ctx.changes == [
        f"created group sre ({group.id})",
        f"added {ADA} to group sre",
        f"removed {ADA} from group sre",
    ]


def test_reads_have_no_side_effects_and_writes_join_the_batch() -> None:
    assert flags(SPECS) == {
        "groups.get": (False, False, False),
        "groups.create": (True, True, True),
        "groups.list_members": (False, False, False),
        "groups.add_user": (True, True, True),
        "groups.remove_user": (True, True, True),
    }
    assert SPECS[0].require_one_of == ("id", "name")
