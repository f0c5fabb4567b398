"""``commands.*``: run a command on a device; every run is recorded in the directory."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from wfbench.actions.context import ActionContext
from wfbench.actions.effects import directory_of
from wfbench.actions.records import Output, Params
from wfbench.actions.registry import ActionSpec

CATEGORY = "commands"


class RunCommandParams(Params):
    """The device and the command to run on it."""

    device_id: str = Field(min_length=1)
    """The id of the device to run the command on."""

    command: str = Field(min_length=1, max_length=10_000)
    """The command line to run, as the device's shell reads it."""


class CommandResult(Output):
    """A command run as recorded in the directory."""

    command_id: str
    """The id of the recorded command run."""

    device_id: str
    """The device the command ran on."""

    command: str
    """The command line that was run."""

    status: Literal["queued", "succeeded", "failed"]
    """``queued`` (not run yet), ``succeeded`` or ``failed``."""

    exit_code: int | None
    """The command's exit code, or ``null`` while it is queued."""

    output: str
    """What the command printed (empty while it is queued)."""


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
