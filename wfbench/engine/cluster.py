"""Action work on a Dask cluster: :class:`DaskInvoker`, the executor seam's remote side.

Only ``remote`` actions go to the cluster (``http.request``, custom actions registered
with ``remote=True``): their handler, input model and parameters travel by Dask's own
serialisation, run on a worker with a context that has no directory (its connectors are
copied; secrets are read from the *worker's* environment), and their output comes back
to the run, which validates and records it in this process, the store's only writer.
Everything else (directory actions, ``core.*``) runs here through the
:class:`~wfbench.engine.invoke.LocalInvoker`. A dry run sends nothing with side effects:
such an attempt, when a dry run calls it at all, runs here.

Failure semantics (README, "Timeouts and remote work"):

* a worker lost while running an attempt: Dask reschedules the task on another worker
  (its own retries) when the action is idempotent; otherwise the task claims a one-time
  token before calling the handler, so a rescheduled copy refuses to call it again, and
  the step fails with :class:`~wfbench.errors.EffectUncertain` ("the worker … was lost;
  the effect may or may not have happened");
* a deadline or a cancel while the task runs: the future is cancelled
  (``client.cancel``) and the step fails ``timed out`` (or the run ends ``cancelled``);
  a task already running finishes on its worker, since Dask cannot interrupt it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from wfbench.actions import ActionSpec
from wfbench.actions.context import ActionContext
from wfbench.engine.invoke import LocalInvoker, wait_for
from wfbench.errors import EffectUncertain, MissingExtra, NotPicklable, UsageError

#: ``$WFBENCH_DASK_SCHEDULER``: the scheduler address ``run_many``/``wfbench run --inputs``
#: use when no executor is given.
SCHEDULER_ENV = "WFBENCH_DASK_SCHEDULER"
#: How long connecting to a scheduler may take before the address is refused (seconds).
CONNECT_TIMEOUT_S = 10


def require_distributed() -> Any:
    """The ``distributed`` module, or :class:`MissingExtra` naming ``wfbench[dask]``."""
    try:
        import distributed
    except ImportError:  # pragma: no cover - the dev extra installs it
        what = "a Dask executor (executor=, $WFBENCH_DASK_SCHEDULER)"
        raise MissingExtra(what, extra="dask") from None
    return distributed


class _Replayed(Exception):
    """A rescheduled copy of a non-idempotent attempt found its token taken."""


def _remote_attempt(
    handler: Any,
    model: type[BaseModel],
    data: dict[str, Any],
    fields: dict[str, Any],
    claim: str | None,
) -> tuple[Any, list[str], list[str]]:
    """Runs on a worker: claim the attempt's token (non-idempotent), call the handler."""
    if claim is not None:
        import distributed

        event: Any = distributed.Event(claim)  # type: ignore[no-untyped-call]
        if event.is_set():
            raise _Replayed(claim)
        event.set()
    left = fields.pop("remaining")
    ctx = ActionContext(**fields, deadline=None if left is None else time.monotonic() + left)
    result = handler(model.model_validate(data), ctx)
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json", by_alias=True)
    return result, ctx.changes, ctx.logs


class DaskInvoker:
    """Remote actions on a ``distributed.Client``; the rest through ``local``."""

    def __init__(
        self, client: Any, local: LocalInvoker | None = None, *, owns_client: bool = False
    ) -> None:
        self.distributed = require_distributed()
        self.client = client
        self.local = local or LocalInvoker()
        self.owns_client = owns_client
        """Whether :meth:`close` closes the client (one this invoker connected itself)."""

    @classmethod
    def from_address(cls, address: str) -> DaskInvoker:
        """An invoker with its own client of the scheduler at ``address``; :meth:`close`
        closes that client."""
        distributed = require_distributed()
        try:
            client = distributed.Client(address, set_as_default=False, timeout=CONNECT_TIMEOUT_S)
        except (OSError, ValueError, TypeError) as exc:  # a mistyped or unreachable address
            first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise UsageError(
                f"cannot use the Dask scheduler {address!r} (executor= or ${SCHEDULER_ENV}): "
                f"{first}; check the address (tcp://host:port) or unset {SCHEDULER_ENV}"
            ) from None
        return cls(client, owns_client=True)

    @property
    def dashboard_link(self) -> str | None:
        try:
            return str(self.client.dashboard_link)
        except Exception:  # no dashboard (bokeh missing, a gateway without one)
            return None

    def refuse_unpicklable(self, specs: Iterable[ActionSpec]) -> None:
        """Refuse, before anything is sent, a remote action whose function or models
        cannot travel to the workers: one :class:`NotPicklable` naming the action, what
        could not be pickled and what to do (Dask would otherwise fail every row, each
        with pages of tracebacks on stderr). Pickled as Dask does last (cloudpickle)."""
        import cloudpickle

        for spec in specs:
            parts = (
                ("its function", spec.handler),
                ("its input model", spec.input_model),
                ("its output model", spec.output_model),
            )
            for what, obj in parts:
                try:
                    cloudpickle.dumps(obj)
                except Exception as exc:
                    named = f"{what} {getattr(obj, '__qualname__', type(obj).__name__)}"
                    why = (str(exc).splitlines() or [""])[0][:160]
                    raise NotPicklable(
                        f"the batch was not started: {spec.name} cannot be sent to the Dask "
                        f"workers because {named} could not be pickled "
                        f"({type(exc).__name__}: {why}); define it at the top level of a "
                        "module or of a notebook cell (not inside a function), holding no "
                        "lock, connection or open file",
                        action=spec.name,
                        what=named,
                    ) from None

    def remote(self, spec: ActionSpec, ctx: ActionContext) -> bool:
        """Whether this attempt goes to the cluster."""
        return spec.remote and not (ctx.dry_run and spec.side_effects)

    def call(
        self, spec: ActionSpec, params: Any, ctx: ActionContext, *, timeout_s: float | None
    ) -> Any:
        if not self.remote(spec, ctx):
            return self.local.call(spec, params, ctx, timeout_s=timeout_s)
        idempotent = spec.is_idempotent(params)
        token = uuid.uuid4().hex
        claim = None if idempotent else f"wfbench-claim-{token}"
        fields = {
            "run_id": ctx.run_id,
            "path": ctx.path,
            "dry_run": ctx.dry_run,
            "permissions": ctx.permissions,
            "connectors": dict(ctx.connectors.items()) if spec.name == "http.request" else {},
            "remaining": ctx.remaining(),
        }
        future = self.client.submit(
            _remote_attempt,
            spec.handler,
            spec.input_model,
            params.model_dump(mode="python", by_alias=True),
            fields,
            claim,
            key=f"wfbench-{spec.name}-{token}",
            pure=False,
            retries=0,  # a handler's own error is the step's retry policy's business
        )
        try:
            output, changes, logs = self._result(future, spec, ctx, idempotent, timeout_s)
        finally:
            if claim is not None:
                self._forget(claim)
        ctx.changes.extend(changes)
        ctx.logs.extend(logs)
        return output

    def _result(
        self,
        future: Any,
        spec: ActionSpec,
        ctx: ActionContext,
        idempotent: bool,
        timeout_s: float | None,
    ) -> Any:
        """The task's result, waited for in slices so a cancel or the deadline is seen."""
        finished = threading.Event()
        future.add_done_callback(lambda _f: finished.set())  # on the client's loop
        wait_for(finished.wait, ctx, timeout_s, stop=lambda: self.client.cancel(future))
        try:
            return future.result()
        except self.distributed.KilledWorker:
            raise _lost(spec, idempotent) from None
        except _Replayed:
            raise _lost(spec, idempotent) from None

    def _forget(self, claim: str) -> None:
        with contextlib.suppress(Exception):  # the cluster went away: nothing to forget
            self.distributed.Event(claim, client=self.client).clear()

    def close(self) -> None:
        """Close the client if this invoker connected it (a client given to it stays open:
        it is its owner's)."""
        if self.owns_client:
            self.owns_client = False
            self.client.close()


def _lost(spec: ActionSpec, idempotent: bool) -> EffectUncertain:
    if idempotent:
        return EffectUncertain(
            f"the Dask workers running {spec.name} were lost too many times (Dask's "
            "allowed failures); the call may or may not have happened"
        )
    return EffectUncertain(
        f"the Dask worker running {spec.name} was lost while it ran: the effect may or may "
        f"not have happened; it was not called again because {spec.name} is not declared "
        "idempotent (check the target system before running it again)"
    )


def invoker_for(executor: Any) -> Any:
    """The invoker for ``executor`` (a ``distributed.Client`` or an invoker), or for
    ``$WFBENCH_DASK_SCHEDULER``; ``None`` means in this process."""
    if executor is None:
        address = os.environ.get(SCHEDULER_ENV)
        return DaskInvoker.from_address(address) if address else None
    if hasattr(executor, "call"):
        return executor
    if isinstance(executor, str):
        return DaskInvoker.from_address(executor)
    return DaskInvoker(executor)
