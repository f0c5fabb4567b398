"""wfbench.actions.devices: list a user's devices; lock, restart or erase one."""

from __future__ import annotations

import duckdb
import pytest

from wfbench.actions.devices import SPECS
from wfbench.errors import ActionError

from .support import NOW, ada, call, context, flags, one


def test_a_users_devices_are_listed_and_each_can_be_locked_then_erased(
    con: duckdb.DuckDBPyConnection,
) -> None:
    owned = call("devices.list_for_user", {"user_id": ada(con)}, context(con))
    ids = [d.id for d in owned.devices]
    assert owned.count == len(ids) >= 1
    assert ids == [
        r[0]
        for r in con.execute(
            "SELECT id FROM devices WHERE owner_id = ? ORDER BY id", [ada(con)]
        ).fetchall()
    ]
    device, ctx = ids[0], context(con)
    assert call("devices.lock", {"device_id": device}, ctx).status == "locked"
    restarted = call("devices.restart", {"device_id": device}, ctx)
    assert restarted.status == "locked"  # a restart keeps the lock, and is seen now
    assert restarted.last_seen == NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert call("devices.erase", {"device_id": device}, ctx).status == "erased"
    assert one(con, "SELECT status FROM devices WHERE id = ?", device) == "erased"
    assert [c.split(" ")[0] for c in ctx.changes] == ["locked", "restarted", "erased"]


def test_an_unknown_device_is_named(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ActionError, match="no device with id 'd_9999'"):
        call("devices.restart", {"device_id": "d_9999"}, context(con))


def test_reading_is_free_and_every_change_joins_the_batch() -> None:
    assert flags(SPECS) == {
        "devices.list_for_user": (False, False, False),
        "devices.lock": (True, True, True),
        "devices.restart": (True, True, True),
        "devices.erase": (True, True, True),
    }
