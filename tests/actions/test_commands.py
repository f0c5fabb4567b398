"""wfbench.actions.commands: run a command on a device; every run is kept in the directory."""

from __future__ import annotations

import duckdb
import pytest
from pydantic import ValidationError

from wfbench.actions.commands import SPECS, RunCommandParams

from .support import ada, call, context, flags, one


def test_a_command_run_is_recorded_with_its_run(con: duckdb.DuckDBPyConnection) -> None:
    device = str(one(con, "SELECT min(id) FROM devices WHERE owner_id = ?", ada(con)))
    ctx = context(con)
    out = call("commands.run", {"device_id": device, "command": "softwareupdate -l"}, ctx)
    assert (out.device_id, out.command, out.status) == (device, "softwareupdate -l", "succeeded")
    kept = one(con, "SELECT device_id, command, run_id FROM commands WHERE id = ?", out.command_id)
    assert kept == (device, "softwareupdate -l", "run-7")
    assert ctx.changes == [
        f"ran `softwareupdate -l` on device {_name(con, device)} ({device}) as {out.command_id}"
    ]


def _name(con: duckdb.DuckDBPyConnection, device: str) -> str:
    return str(one(con, "SELECT name FROM devices WHERE id = ?", device))


def test_the_command_is_bounded_and_needs_commands_run() -> None:
    with pytest.raises(ValidationError):
        RunCommandParams.model_validate({"device_id": "d", "command": "x" * 10_001})
    with pytest.raises(ValidationError):
        RunCommandParams.model_validate({"device_id": "d", "command": ""})
    assert flags(SPECS) == {"commands.run": (True, True, True)}
    assert SPECS[0].permissions == {"commands:run"}
