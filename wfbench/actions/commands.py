"""``commands.*``: run a command on a device; every run is recorded in the directory."""

from __future__ import annotations

from pydantic import Field

from wfbench.actions.context import ActionContext
from wfbench.actions.effects import directory_of
from wfbench.actions.records import CommandResult, Params
from wfbench.actions.registry import ActionSpec

CATEGORY = "commands"


class RunCommandParams(Params):
    """The device and the command to run on it."""

    device_id: str = Field(min_length=1)
    """The id of the device to run the command on."""

    command: str = Field(min_length=1, max_length=10_000)
    """The command line to run, as the device's shell reads it."""


def _run(params: RunCommandParams, ctx: ActionContext) -> CommandResult:
    with directory_of(ctx) as d:
        return d.run_command(params.device_id, params.command)


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        name="commands.run",
        category=CATEGORY,
        description="Run a command on a device and record the run in the directory.",
        input_model=RunCommandParams,
        output_model=CommandResult,
        permissions=frozenset({"commands:run"}),
        side_effects=True,
        handler=_run,
        callable_in_dry_run=True,
        batched=True,
    ),
)
