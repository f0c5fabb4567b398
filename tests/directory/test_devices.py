"""wfbench.directory.devices: devices and the commands run on them."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from wfbench.directory import (
    Directory,
)
from wfbench.errors import ActionError

from .support import (
    NOW_TEXT,
    ada_devices,
    ada_id,
    one,
)


def test_devices_for_user(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    uid = ada_id(con)
    listed = d.devices_for_user(uid)
    assert [dev.id for dev in listed.devices] == ada_devices(con)
    assert listed.count == 2
    assert all(dev.owner_id == uid for dev in listed.devices)
    with pytest.raises(ActionError, match="no user with id 'u_9999'"):
        d.devices_for_user("u_9999")


def test_lock_restart_erase(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    first, second = ada_devices(con)
    name = one(con, "SELECT name FROM devices WHERE id = ?", first)
    assert d.lock_device(first).status == "locked"
    assert one(con, "SELECT status FROM devices WHERE id = ?", first) == "locked"
    restarted = d.restart_device(first)
    assert (restarted.status, restarted.last_seen) == ("locked", NOW_TEXT)
    assert one(con, "SELECT status, last_seen FROM devices WHERE id = ?", first) == (
        "locked",
        datetime(2026, 2, 1, 12, 30),
    )
    assert d.erase_device(first).status == "erased"
    assert one(con, "SELECT status FROM devices WHERE id = ?", first) == "erased"
    assert d.changes == [
        f"locked device {name} ({first}; active → locked)",
        f"restarted device {name} ({first})",
        f"erased device {name} ({first}; locked → erased)",
    ]
    for refuse in (d.lock_device, d.restart_device):
        with pytest.raises(ActionError, match=f"{first}\\) is erased"):
            refuse(first)
    with pytest.raises(ActionError, match="is erased; it cannot be sent commands"):
        d.run_command(first, "uptime")
    assert d.get_device(second).status == "active"
    with pytest.raises(ActionError, match="no device with id 'd_9999'"):
        d.lock_device("d_9999")


def test_run_command(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    device = ada_devices(con)[0]
    result = d.run_command(device, "sudo jamf recon")
    assert (result.command_id, result.status, result.exit_code, result.output) == (
        "cmd_000001",
        "succeeded",
        0,
        "ran: sudo jamf recon",
    )
    assert d.run_command(device, "uptime").command_id == "cmd_000002"
    assert one(con, "SELECT * FROM commands WHERE id = 'cmd_000001'") == (
        "cmd_000001",
        device,
        "sudo jamf recon",
        "succeeded",
        0,
        "ran: sudo jamf recon",
        "run-1",
        datetime(2026, 2, 1, 12, 30),
    )
