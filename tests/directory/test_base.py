"""wfbench.directory.base: permissions checked first, changes reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import pytest

from wfbench.directory import (
    Directory,
)
from wfbench.errors import PermissionDenied

from .support import (
    ADA,
    WRITES,
    ada_devices,
    ada_id,
    assert_same_tables,
    snapshot,
)

# -- permissions -------------------------------------------------------------------------------

CALLS: dict[str, tuple[set[str], Callable[[Directory, duckdb.DuckDBPyConnection], Any]]] = {
    "get_user": ({"users:read"}, lambda d, c: d.get_user(email=ADA)),
    "search_users": ({"users:read"}, lambda d, c: d.search_users()),
    "create_user": ({"users:write"}, lambda d, c: WRITES["create_user"](d, c, False)),
    "update_user": ({"users:write"}, lambda d, c: WRITES["update_user"](d, c, False)),
    "suspend_user": ({"users:write"}, lambda d, c: WRITES["suspend_user"](d, c, False)),
    "activate_user": ({"users:write"}, lambda d, c: WRITES["activate_user"](d, c, False)),
    "reset_mfa": ({"users:write"}, lambda d, c: WRITES["reset_mfa"](d, c, False)),
    "delete_user": ({"users:delete"}, lambda d, c: WRITES["delete_user"](d, c, False)),
    "get_group": ({"groups:read"}, lambda d, c: d.get_group(name="it")),
    "create_group": ({"groups:write"}, lambda d, c: WRITES["create_group"](d, c, False)),
    "list_members": ({"groups:read", "users:read"}, lambda d, c: d.list_members("g_01")),
    "add_user_to_group": (
        {"groups:write"},
        lambda d, c: WRITES["add_user_to_group"](d, c, False),
    ),
    "remove_user_from_group": (
        {"groups:write"},
        lambda d, c: WRITES["remove_user_from_group"](d, c, False),
    ),
    "get_device": ({"devices:read"}, lambda d, c: d.get_device("d_0001")),
    "devices_for_user": ({"devices:read"}, lambda d, c: d.devices_for_user(ada_id(c))),
    "lock_device": ({"devices:write"}, lambda d, c: WRITES["lock_device"](d, c, False)),
    "restart_device": ({"devices:write"}, lambda d, c: WRITES["restart_device"](d, c, False)),
    "erase_device": ({"devices:erase"}, lambda d, c: WRITES["erase_device"](d, c, False)),
    "run_command": ({"commands:run"}, lambda d, c: WRITES["run_command"](d, c, False)),
    "bind_application": (
        {"applications:write"},
        lambda d, c: WRITES["bind_application"](d, c, False),
    ),
    "unbind_application": (
        {"applications:write"},
        lambda d, c: WRITES["unbind_application"](d, c, False),
    ),
    "send_email": ({"notifications:send"}, lambda d, c: WRITES["send_email"](d, c, False)),
}


def test_every_public_method_is_covered() -> None:
    public = {
        name
        for name in dir(Directory)  # its methods live in one part per record kind
        if not name.startswith("_") and callable(getattr(Directory, name))
    }
    assert public - {"on", "reporting"} == set(CALLS)
    assert set(WRITES) < set(CALLS)


@pytest.mark.parametrize("method", sorted(CALLS))
def test_permissions_are_checked_first(con: duckdb.DuckDBPyConnection, method: str) -> None:
    needed, call = CALLS[method]
    everything_else = frozenset(
        {
            "users:read",
            "users:write",
            "users:delete",
            "groups:read",
            "groups:write",
            "devices:read",
            "devices:write",
            "devices:erase",
            "applications:read",
            "applications:write",
            "commands:run",
            "notifications:send",
            "http:call",
        }
        - needed
    )
    before = snapshot(con)
    for held in (everything_else, frozenset()):
        with pytest.raises(PermissionDenied) as refused:
            call(Directory(con, held), con)
        message = str(refused.value)
        assert message.startswith(f"{method} needs ")
        for permission in needed:
            assert permission in message
    assert_same_tables(before, snapshot(con))
    call(Directory(con, frozenset(needed)), con)  # exactly what it needs is enough


def test_reporting_passes_each_change_to_the_sink(con: duckdb.DuckDBPyConnection) -> None:
    d = Directory(con)
    seen: list[str] = []
    d.suspend_user(ada_id(con))
    with d.reporting(seen.append) as same:
        assert same is d
        same.activate_user(ada_id(con))
        same.lock_device(ada_devices(con)[0])
    d.suspend_user(ada_id(con))
    assert seen == [d.changes[1], d.changes[2]]
    assert len(d.changes) == 4
    other = d.on(con.cursor())
    other.activate_user(ada_id(con))
    assert len(d.changes) == 5
