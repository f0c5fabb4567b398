"""One action step: render its parameters, check the role, call the handler (with
retries and a deadline, through the environment's invoker) inside the environment's
transaction when it writes.

Retries: a handler that raised is called again as the step's ``retry`` says. An attempt
whose outcome is unknown (:class:`~wfbench.errors.EffectUncertain`: its deadline passed
while the handler ran, or its Dask worker was lost) is called again only when the action
declares itself idempotent: a side effect is called at most once otherwise.

Any exception a handler raises is the step's failure, never the run's: one that is not a
wfbench error becomes :class:`~wfbench.errors.HandlerFailed` (its type and message), the
attempt's directory changes are rolled back with its transaction, and a side-effecting
action that is not idempotent is not called again after it (it had started: what it did
elsewhere may have happened). An :class:`~wfbench.errors.ActionError` of the handler's own
is its statement that it did nothing, and is retried as ``retry`` says."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from pydantic import BaseModel, ValidationError

from wfbench import expressions as ex
from wfbench.actions import ActionSpec
from wfbench.actions.context import ActionContext
from wfbench.actions.redaction import redact
from wfbench.engine.invoke import timed_out
from wfbench.engine.lifecycle import Lifecycle
from wfbench.errors import (
    EffectUncertain,
    ExpressionError,
    HandlerFailed,
    NoHandler,
    OutputMismatch,
    PermissionDenied,
    RunAborted,
    RunCancelled,
    WfbenchError,
)
from wfbench.model import ActionNode
from wfbench.roles import missing_permissions
from wfbench.runs import Draft, StepRecord


class ActionSteps(Lifecycle):
    """Action steps: parameters, the role check, retries, timeouts, the handler call."""

    def _action(
        self, node: ActionNode, scope: dict[str, Any], path: str, iteration: int | None
    ) -> StepRecord:
        rec, t0 = self._open_step(node, path, iteration)
        spec = self.env.actions.find(node.action)
        if spec is None:
            rec.error = f"no action '{node.action}' in this workbench's catalogue"
            return self._finish(rec, "failed", t0=t0)
        try:
            raw = ex.render(node.with_, scope)
        except ExpressionError as exc:
            rec.error = f"parameters: {exc}"
            return self._finish(rec, "failed", t0=t0)
        rec.params = redact(raw)
        missing = missing_permissions(self.role, spec.permissions)
        if missing:
            rec.error = (
                f"run_as '{self.role.name}' lacks {', '.join(missing)}, which "
                f"{spec.name} needs; nothing was done"
            )
            return self._finish(rec, "failed", t0=t0)
        try:
            params = spec.input_model.model_validate(raw)
        except ValidationError as exc:
            rec.error = f"parameters of {spec.name}: " + "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'with'}: {e['msg']}"
                for e in exc.errors(include_url=False)
            )
            return self._finish(rec, "failed", t0=t0)
        if self.record.dry_run and spec.side_effects and not spec.callable_in_dry_run:
            rec.change = f"would run {spec.name} (not called in a dry run)"
            return self._finish(rec, "simulated", t0=t0)
        return self._attempts(node, spec, params, rec, t0)

    def _attempts(
        self,
        node: ActionNode,
        spec: ActionSpec,
        params: BaseModel,
        rec: Draft[StepRecord],
        t0: float,
    ) -> StepRecord:
        tries = node.retry.max_attempts if node.retry else 1
        backoff = node.retry.backoff_s if node.retry else 0.0
        writes = spec.side_effects and not self.record.dry_run
        for attempt in range(1, tries + 1):
            rec.attempts = attempt
            ctx = self._context(rec, node, spec)
            if writes:
                self._effect_starting(rec, spec.is_idempotent(params))
            try:
                if writes and not spec.remote:
                    with self.env.lock, self.env.transaction(spec):
                        output = self._call(spec, params, ctx, node)
                        return self._succeed(rec, spec, output, ctx, durable=True, t0=t0)
                # A remote action never holds the run's directory: calls overlap. What
                # came before its side effect is committed first, as for any other.
                if writes:
                    with self.env.lock, self.env.transaction(spec):
                        pass
                exclusive = spec.exclusive and not spec.remote
                with self.env.lock if exclusive else contextlib.nullcontext():
                    output = self._call(spec, params, ctx, node)
                if writes:  # its effect happened elsewhere: its record commits at once
                    with self.env.lock, self.env.transaction(spec):
                        return self._succeed(rec, spec, output, ctx, durable=True, t0=t0)
                return self._succeed(rec, spec, output, ctx, durable=False, t0=t0)
            except (RunCancelled, RunAborted):
                raise
            except EffectUncertain as exc:
                rec.error = str(exc)
                if attempt < tries and not spec.is_idempotent(params):
                    rec.error += (
                        f"; not retried: {spec.name} is not declared idempotent "
                        "(idempotent=True), so it is never called twice"
                    )
                    break
            except Exception as exc:  # any failure of a handler is the step's failure
                rec.error = _describe(exc)
                if isinstance(exc, PermissionDenied):
                    break
                started = (
                    isinstance(exc, HandlerFailed | OutputMismatch) and not self.record.dry_run
                )
                if started and attempt < tries and not spec.is_idempotent(params):
                    rec.error += (
                        f"; not retried: its handler had started and {spec.name} is not "
                        "declared idempotent (idempotent=True), so it is never called twice"
                    )
                    break
            if attempt == tries:
                break
            delay = backoff * (2 ** (attempt - 1))
            if delay:
                self._wait(delay)
        return self._finish(rec, "failed", t0=t0)

    def _effect_starting(self, rec: Draft[StepRecord], idempotent: bool) -> None:
        step = rec.freeze()
        for hook in self.hooks:
            mark = getattr(hook, "effect_starting", None)
            if mark is not None:
                mark(run=self._started, step=step, idempotent=idempotent)

    def _succeed(
        self,
        rec: Draft[StepRecord],
        spec: ActionSpec,
        output: BaseModel,
        ctx: ActionContext,
        *,
        durable: bool,
        t0: float,
    ) -> StepRecord:
        rec.output = output.model_dump(mode="json", by_alias=True)
        rec.error = None
        rec.change = "; ".join(ctx.changes) or None
        dry = self.record.dry_run and spec.side_effects
        return self._finish(rec, "simulated" if dry else "succeeded", durable=durable, t0=t0)

    def _context(self, rec: Draft[StepRecord], node: ActionNode, spec: ActionSpec) -> ActionContext:
        perms = self.role.permissions
        # A remote action never reaches the directory, in this process or on a worker.
        factory = None if spec.remote else self.env.directory
        directory = factory(perms, self.run_id) if factory is not None else None
        deadline = time.monotonic() + node.timeout_s if node.timeout_s else None
        return ActionContext(
            run_id=self.run_id,
            path=rec.path,
            dry_run=self.record.dry_run,
            permissions=perms,
            directory=directory,
            connectors=self.env.connectors,
            deadline=deadline,
            cancelled=self._cancel.is_set,
        )

    def _call(
        self, spec: ActionSpec, params: BaseModel, ctx: ActionContext, node: ActionNode
    ) -> BaseModel:
        if spec.handler is None:
            raise NoHandler(f"{spec.name} has no handler in this workbench")
        try:
            result = self.env.invoker.call(spec, params, ctx, timeout_s=node.timeout_s)
        except WfbenchError:
            raise
        except Exception as exc:  # the handler's own: a failed step, not a store failure
            raise HandlerFailed(exc) from exc
        # A batched change (built-in directory actions) cannot be undone alone.
        late = ctx.deadline is not None and time.monotonic() > ctx.deadline
        if late and not spec.batched:
            raise timed_out(node.timeout_s)
        if isinstance(result, spec.output_model):
            return result
        try:
            return spec.output_model.model_validate(
                result.model_dump() if isinstance(result, BaseModel) else result
            )
        except ValidationError as exc:
            raise OutputMismatch(
                f"{spec.name} returned output that does not match its output model: "
                f"{exc.errors(include_url=False)[0]['msg']}",
            ) from None

    def _wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self._check_cancel()
            self.env.sleep(min(left, 0.05))
        self._check_cancel()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, WfbenchError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
