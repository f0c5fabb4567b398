"""Calling an action's handler with a deadline: the one seam between a step and its work.

An :class:`Invoker` calls ``handler(params, ctx)`` and returns what it returned. The
default, :class:`LocalInvoker`, calls a built-in's handler on the run's own thread when it
has no deadline (and a built-in directory action, ``batched``: milliseconds, its change
joins the run's batch, always). Any other handler runs on a thread of its own while the
run's thread answers its directory requests (:mod:`wfbench.engine.channel`: the handler
never holds the directory), and stops *waiting* for it at the deadline (or when the run is
cancelled): the step then fails with :class:`~wfbench.errors.EffectUncertain` ("timed out
…"), and the line to the directory is closed, so the late handler can no longer touch the
run's directory (a request being answered at the deadline finishes first and is rolled
back with the attempt's transaction) and its ``ctx.check()``/``ctx.sleep()`` raise. Python
cannot stop a thread: what the handler does outside the directory (a file, a call to
another system) may still happen after the deadline; the engine never calls such a handler
again unless its action declares itself idempotent.

:class:`wfbench.engine.cluster.DaskInvoker` sends ``remote`` actions to a Dask cluster
through the same seam.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from wfbench.actions import ActionSpec
from wfbench.actions.context import ActionContext
from wfbench.actions.registry import is_builtin
from wfbench.engine.channel import DONE, Line, access, serve_one
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
        trusted = is_builtin(spec)
        if (trusted and (ctx.deadline is None or spec.batched)) or (
            ctx.directory is None and ctx.deadline is None
        ):
            return spec.handler(params, ctx)
        # Any other handler runs on a thread of its own, and reaches the run's directory
        # only through a line this thread serves (wfbench.engine.channel).
        line = Line()
        directory = ctx.directory
        cancelled = ctx.cancelled
        guarded = replace(
            ctx,
            directory=None if directory is None else access(directory, line),
            cancelled=lambda: line.closed or cancelled(),
        )
        box: dict[str, Any] = {}
        handler = spec.handler

        def target() -> None:
            try:
                box["value"] = handler(params, guarded)
            except BaseException as exc:  # handed to the waiting run
                box["error"] = exc
            finally:
                line.finished()

        thread = threading.Thread(target=target, name=f"wfbench-{spec.name}", daemon=True)
        thread.start()
        # A batched change joins the run's batch: it is not cut off at the deadline.
        serve(line, directory, ctx, timeout_s, deadline=not spec.batched)
        if "error" in box:
            raise box["error"]
        return box["value"]

    def close(self) -> None:
        pass


def serve(
    line: Line, directory: Any, ctx: ActionContext, timeout_s: float | None, *, deadline: bool
) -> None:
    """Answer the handler's directory requests on this (the run's) thread until it is done;
    at the deadline or a cancel, close the line (a request being answered finishes first,
    and is rolled back with the attempt's transaction) and raise."""
    try:
        while True:
            left = ctx.remaining() if deadline else None
            try:
                item = line.requests.get(
                    timeout=POLL_S if left is None else max(min(POLL_S, left), 0.0)
                )
            except queue.Empty:
                item = None
            if item is DONE:
                return
            if item is not None:
                serve_one(directory, item)
            if ctx.cancelled():
                raise RunCancelled("the run was cancelled while a handler was running")
            left = ctx.remaining() if deadline else None
            if left is not None and left <= 0:
                raise timed_out(timeout_s)
    finally:
        line.close()  # a ctx.directory kept past the attempt refuses


def wait_for(
    done: Callable[[float], bool],
    ctx: ActionContext,
    timeout_s: float | None,
    stop: Callable[[], None] = lambda: None,
) -> None:
    """Wait until ``done(timeout)`` says so; at the deadline or a cancel, call ``stop``
    and raise."""
    while True:
        left = ctx.remaining()
        if done(POLL_S if left is None else max(min(POLL_S, left), 0.0)):
            return
        if ctx.cancelled():
            stop()
            raise RunCancelled("the run was cancelled while a handler was running")
        left = ctx.remaining()
        if left is not None and left <= 0:
            stop()
            raise timed_out(timeout_s)
