"""``devices.*``: list a user's devices; lock, restart or erase a device."""

from __future__ import annotations

from pydantic import Field

from wfbench.actions.context import ActionContext
from wfbench.actions.effects import directory_of
from wfbench.actions.records import Device, DeviceList, Params
from wfbench.actions.registry import ActionSpec

CATEGORY = "devices"


class DevicesForUserParams(Params):
    """Whose devices to list."""

    user_id: str = Field(min_length=1)
    """The id of the user the devices are assigned to."""


class DeviceIdParams(Params):
    """The device to act on."""

    device_id: str = Field(min_length=1)
    """The device's id."""


def _list_for_user(params: DevicesForUserParams, ctx: ActionContext) -> DeviceList:
    with directory_of(ctx) as d:
        return d.devices_for_user(params.user_id)


def _lock(params: DeviceIdParams, ctx: ActionContext) -> Device:
    with directory_of(ctx) as d:
        return d.lock_device(params.device_id)


def _restart(params: DeviceIdParams, ctx: ActionContext) -> Device:
    with directory_of(ctx) as d:
        return d.restart_device(params.device_id)


def _erase(params: DeviceIdParams, ctx: ActionContext) -> Device:
    with directory_of(ctx) as d:
        return d.erase_device(params.device_id)


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        name="devices.list_for_user",
        category=CATEGORY,
        description="List the devices assigned to a user.",
        input_model=DevicesForUserParams,
        output_model=DeviceList,
        permissions=frozenset({"devices:read"}),
        side_effects=False,
        handler=_list_for_user,
    ),
    ActionSpec(
        name="devices.lock",
        category=CATEGORY,
        description="Lock a device so nobody can use it until it is unlocked.",
        input_model=DeviceIdParams,
        output_model=Device,
        permissions=frozenset({"devices:write"}),
        side_effects=True,
        handler=_lock,
        callable_in_dry_run=True,
        batched=True,
    ),
    ActionSpec(
        name="devices.restart",
        category=CATEGORY,
        description="Restart a device.",
        input_model=DeviceIdParams,
        output_model=Device,
        permissions=frozenset({"devices:write"}),
        side_effects=True,
        handler=_restart,
        callable_in_dry_run=True,
        batched=True,
    ),
    ActionSpec(
        name="devices.erase",
        category=CATEGORY,
        description="Erase a device: wipe its data and leave it in the erased state.",
        input_model=DeviceIdParams,
        output_model=Device,
        permissions=frozenset({"devices:erase"}),
        side_effects=True,
        handler=_erase,
        callable_in_dry_run=True,
        batched=True,
    ),
)
