"""``core.*``: compute values, log, fail on purpose, wait. No permissions needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import Field

from wfbench.actions.context import ActionContext
from wfbench.actions.records import Output, Params
from wfbench.actions.registry import ActionSpec
from wfbench.errors import ActionError

CATEGORY = "core"


class SetParams(Params):
    """The value to compute."""

    value: Any
    """Any JSON value; expressions inside it are evaluated."""


class SetOutput(Output):
    """The computed value."""

    value: Any
    """The value, as given."""


class LogParams(Params):
    """The message to log."""

    message: str
    """The text to record in the step's output."""


class LogOutput(Output):
    """The logged message."""

    message: str
    """The text that was logged."""


class FailParams(Params):
    """Why the run fails."""

    message: str = Field(min_length=1)
    """The error the run fails with."""


class FailOutput(Output):
    """Nothing: ``core.fail`` never returns normally."""


class WaitParams(Params):
    """How long to wait."""

    seconds: float = Field(ge=0, le=3600)
    """Seconds to wait (0 to 3600)."""


class WaitOutput(Output):
    """How long the step waited."""

    seconds: float
    """The seconds waited."""


def _set(params: SetParams, ctx: ActionContext) -> SetOutput:
    return SetOutput(value=params.value)


def _log(params: LogParams, ctx: ActionContext) -> LogOutput:
    ctx.log(params.message)
    return LogOutput(message=params.message)


def _fail(params: FailParams, ctx: ActionContext) -> FailOutput:
    raise ActionError(params.message)


def _wait(params: WaitParams, ctx: ActionContext) -> WaitOutput:
    ctx.sleep(params.seconds)
    return WaitOutput(seconds=params.seconds)


def _core(
    name: str,
    description: str,
    params: type[Params],
    output: type[Output],
    handler: Callable[..., Any],
) -> ActionSpec:
    return ActionSpec(
        name=f"{CATEGORY}.{name}",
        category=CATEGORY,
        description=description,
        input_model=params,
        output_model=output,
        permissions=frozenset(),
        side_effects=False,
        handler=handler,
        exclusive=False,  # never touches the directory; core.wait may block
    )


SPECS: tuple[ActionSpec, ...] = (
    _core("set", "Compute a value and return it as {value}.", SetParams, SetOutput, _set),
    _core("log", "Record a message in the run's history.", LogParams, LogOutput, _log),
    _core("fail", "Fail the run with a message.", FailParams, FailOutput, _fail),
    _core("wait", "Pause the run for a number of seconds.", WaitParams, WaitOutput, _wait),
)
