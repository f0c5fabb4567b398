"""Calling an action's handler with a deadline: the one seam between a step and its work.

An :class:`Invoker` calls ``handler(params, ctx)`` and returns what it returned. The
default, :class:`LocalInvoker`, runs a handler that has a deadline on a thread of this
process and stops *waiting* for it at the deadline (or when the run is cancelled): the
step then fails with :class:`~wfbench.errors.EffectUncertain` ("timed out …"), and the
attempt's context is revoked, so the late handler can no longer touch the run's directory
(a directory call in flight at the deadline finishes first and is rolled back with the
attempt's transaction) and its ``ctx.check()``/``ctx.sleep()`` raise. Python cannot stop
a thread: what the handler does outside the directory (a file, a call to another system)
may still happen after the deadline; the engine never calls such a handler again unless
its action declares itself idempotent. A handler without a deadline, and the built-in
directory actions (``batched``: milliseconds, their change joins the run's batch), are
called on the run's own thread, as before.

:class:`wfbench.engine.cluster.DaskInvoker` sends ``remote`` actions to a Dask cluster
through the same seam.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from wfbench.actions import ActionSpec
from wfbench.actions.context import ActionContext
from wfbench.errors import EffectUncertain, NoHandler, RunCancelled

#: How often a waiting run looks at its cancel flag and its deadline (seconds).
POLL_S = 0.05


class Invoker(Protocol):
    """Calls one attempt's handler; raises what the handler raised, or
    :class:`EffectUncertain` when the attempt was stopped or lost while it ran."""

    def call(
        self, spec: ActionSpec, params: Any, ctx: ActionContext, *, timeout_s: float | None
    ) -> Any: ...

    def close(self) -> None: ...


class Gate:
    """What a late handler is shut out by: once :meth:`revoke` returns, every call through
    a :class:`Revocable` refuses, and a call that was in flight has finished."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.revoked = False

    def revoke(self) -> None:
        with self._lock:
            self.revoked = True

    def guard(self, func: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                if self.revoked:
                    raise EffectUncertain(
                        "this attempt is over (timed out or cancelled); its context no longer "
                        "reaches the directory"
                    )
                return func(*args, **kwargs)

        return guarded


class Revocable:
    """A handler's view of the run's directory that a :class:`Gate` can close."""

    __slots__ = ("_gate", "_target")

    def __init__(self, target: Any, gate: Gate) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_gate", gate)

    def __getattr__(self, name: str) -> Any:
        gate: Gate = object.__getattribute__(self, "_gate")
        value = gate.guard(getattr)(object.__getattribute__(self, "_target"), name)
        return gate.guard(value) if callable(value) else value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a handler may not change the run's directory object")


def revocable(ctx: ActionContext) -> tuple[ActionContext, Gate]:
    """``ctx`` with its directory behind a new gate and ``check()`` honouring the gate
    (the same lists of changes and logs: what the handler reports is the step's)."""
    gate = Gate()
    cancelled = ctx.cancelled
    directory = None if ctx.directory is None else Revocable(ctx.directory, gate)
    guarded = replace(ctx, directory=directory, cancelled=lambda: gate.revoked or cancelled())
    return guarded, gate


def timed_out(seconds: float | None) -> EffectUncertain:
    limit = f" after {seconds:g} s" if seconds is not None else ""
    return EffectUncertain(
        f"timed out{limit} (timeout_s) while its handler was running; its directory "
        "access was revoked, and anything else it did may or may not have happened"
    )


class LocalInvoker:
    """Handlers on this process's threads (see the module docstring)."""

    def call(
        self, spec: ActionSpec, params: Any, ctx: ActionContext, *, timeout_s: float | None
    ) -> Any:
        if spec.handler is None:
            raise NoHandler(f"{spec.name} has no handler in this workbench")
        if ctx.deadline is None or spec.batched:
            return spec.handler(params, ctx)
        guarded, gate = revocable(ctx)
        box: dict[str, Any] = {}
        finished = threading.Event()
        handler = spec.handler

        def target() -> None:
            try:
                box["value"] = handler(params, guarded)
            except BaseException as exc:  # handed to the waiting run
                box["error"] = exc
            finally:
                finished.set()

        thread = threading.Thread(target=target, name=f"wfbench-{spec.name}", daemon=True)
        thread.start()
        wait_for(finished.wait, ctx, gate, timeout_s)
        if "error" in box:
            raise box["error"]
        return box["value"]

    def close(self) -> None:
        pass


def wait_for(
    done: Callable[[float], bool],
    ctx: ActionContext,
    gate: Gate | None,
    timeout_s: float | None,
    stop: Callable[[], None] = lambda: None,
) -> None:
    """Wait until ``done(timeout)`` says so; at the deadline or a cancel, call ``stop``,
    revoke ``gate`` and raise."""
    while True:
        left = ctx.remaining()
        if done(POLL_S if left is None else max(min(POLL_S, left), 0.0)):
            return
        if ctx.cancelled():
            stop()
            if gate is not None:
                gate.revoke()
            raise RunCancelled("the run was cancelled while a handler was running")
        left = ctx.remaining()
        if left is not None and left <= 0:
            stop()
            if gate is not None:
                gate.revoke()
            raise timed_out(timeout_s)
