"""Devices and the commands run on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wfbench.actions.records import CommandResult, Device, DeviceList
from wfbench.directory.base import (
    _DEVICE_COLUMNS,
    DirectoryBase,
    _device_from_row,
    _iso,
    _text,
)
from wfbench.errors import ActionError


class Devices(DirectoryBase):
    """Devices and the commands run on them."""

    def get_device(self, device_id: str) -> Device:
        """The device with this id."""
        self._require("get_device", "devices:read")
        return self._device(device_id)

    def devices_for_user(self, user_id: str) -> DeviceList:
        """The devices assigned to a user, by id."""
        self._require("devices_for_user", "devices:read")
        self._user(user_id)
        epoch = self._epoch
        rows = self._rows(
            f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE owner_id = ? ORDER BY id", [user_id]
        )
        for row in rows:  # a later step of the run may lock or restart one of them
            self._keep("devices", row[0], row, epoch)
        devices = [_device_from_row(r) for r in rows]
        return DeviceList(devices=devices, count=len(devices))

    def _change_device(
        self, device: Device, changes: dict[str, Any], now: datetime | None
    ) -> Device:
        after = device.model_copy(update={**changes, **({"last_seen": _iso(now)} if now else {})})
        columns = dict(changes)
        if now is not None:
            columns["last_seen"] = now
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self._writing("devices", "id = ?", [device.id])
        self._con.execute(
            f"UPDATE devices SET {assignments} WHERE id = ?", [*columns.values(), device.id]
        )
        return after

    def _refuse_erased(self, device: Device, doing: str) -> None:
        if device.status == "erased":
            raise ActionError(f"device {device.name} ({device.id}) is erased; it cannot be {doing}")

    def lock_device(self, device_id: str) -> Device:
        """Lock a device; an erased device cannot be locked."""
        self._require("lock_device", "devices:write")
        device = self._device(device_id)
        self._refuse_erased(device, "locked")
        if device.status == "locked":
            return device
        after = self._change_device(device, {"status": "locked"}, None)
        self._note(
            f"locked device {device.name} ({device_id}; {device.status} → locked)",
            f"would lock device {device.name} ({device_id}; {device.status} → locked)",
        )
        return after

    def restart_device(self, device_id: str) -> Device:
        """Restart a device: its status stays, ``last_seen`` becomes now."""
        self._require("restart_device", "devices:write")
        device = self._device(device_id)
        self._refuse_erased(device, "restarted")
        after = self._change_device(device, {}, self._now())
        self._note(
            f"restarted device {device.name} ({device_id})",
            f"would restart device {device.name} ({device_id})",
        )
        return after

    def erase_device(self, device_id: str) -> Device:
        """Wipe a device; it stays in the directory with status ``erased``."""
        self._require("erase_device", "devices:erase")
        device = self._device(device_id)
        if device.status == "erased":
            return device
        after = self._change_device(device, {"status": "erased"}, None)
        self._note(
            f"erased device {device.name} ({device_id}; {device.status} → erased)",
            f"would erase device {device.name} ({device_id}; {device.status} → erased)",
        )
        return after

    def run_command(self, device_id: str, command: str) -> CommandResult:
        """Run a command on a device and record it (simulated: it succeeds, printing ``ran: …``).

        Erased devices refuse commands.
        """
        self._require("run_command", "commands:run")
        command = _text(command, "the command")
        device = self._device(device_id)
        self._refuse_erased(device, "sent commands")
        command_id = self._insert_with_id(
            "commands",
            "cmd_",
            6,
            [device_id, command, "succeeded", 0, f"ran: {command}", self.run_id, self._now()],
        )
        result = CommandResult(
            command_id=command_id,
            device_id=device_id,
            command=command,
            status="succeeded",
            exit_code=0,
            output=f"ran: {command}",
        )
        shown = command if len(command) <= 60 else command[:57] + "..."
        self._note(
            f"ran `{shown}` on device {device.name} ({device_id}) as {result.command_id}",
            f"would run `{shown}` on device {device.name} ({device_id})",
        )
        return result
