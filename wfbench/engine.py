"""Runs a workflow: a synchronous, steppable interpreter over the graph.

:class:`Execution` walks the steps in order, evaluates if-else conditions and
loops, and calls each action's handler under the run-as role, which it checks
again before every action. :meth:`Execution.next` advances to the next finished
step; :meth:`Execution.run` is a loop over it. :func:`start_background` runs an
execution in a thread so a notebook stays responsive, with progress reported to
listeners and :meth:`RunHandle.cancel` to stop it.

The engine knows nothing of DuckDB. It reports to :class:`Hooks` (the store
writes history from them; widgets colour nodes from them) and reaches the
world through an :class:`Environment` (the directory factory, connectors, and a
``transaction`` that makes an effect and its step record commit together).

Retries wait ``backoff_s``, then twice that, and so on. Timeouts are
cooperative: ``core.wait`` and ``http.request`` stop at the deadline, and an
attempt that returns after its deadline is failed and its directory change
rolled back with its transaction.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jsonschema
from pydantic import BaseModel, ValidationError

from wfbench import expressions as ex
from wfbench.actions import ActionRegistry, ActionSpec
from wfbench.actions.context import ActionContext, Connector
from wfbench.actions.http import redact
from wfbench.errors import (
    ExpressionError,
    InputError,
    PermissionDenied,
    RunAborted,
    RunCancelled,
    StepTimeout,
    WfbenchError,
)
from wfbench.model import ActionNode, IfElseNode, LoopNode, Node, Workflow, children
from wfbench.roles import Role, missing_permissions
from wfbench.runs import Draft, Hooks, RunRecord, StepRecord, StepStatus


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Environment:
    """What a run reaches outside itself; the workbench fills it in."""

    actions: ActionRegistry
    directory: Callable[[frozenset[str], str], Any] | None = None
    """``(permissions, run_id) -> Directory`` for the calling thread, or ``None``."""
    connectors: Mapping[str, Connector] = field(default_factory=dict)
    transaction: Callable[[ActionSpec], AbstractContextManager[Any]] = lambda spec: (
        contextlib.nullcontext()
    )
    """Wraps a side-effecting attempt and its durable record: they commit together or not
    at all. Called while :attr:`lock` is held."""
    lock: threading.RLock = field(default_factory=threading.RLock)
    """Held around every ``exclusive`` handler call: one directory user at a time per run.
    The history writer takes it too, so the run's connection is never used concurrently."""
    clock: Callable[[], datetime] = _now
    sleep: Callable[[float], None] = time.sleep


class _StepFailed(Exception):
    """A step failed and its ``on_error`` (or the loop's) says stop."""

    def __init__(self, record: StepRecord) -> None:
        super().__init__(record.error)
        self.record = record


def apply_defaults(schema: Mapping[str, Any], value: Any) -> Any:
    """``value`` with the schema's ``default``s filled in where a property is absent."""
    if not isinstance(value, dict) or not isinstance(schema, Mapping):
        return value
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return value
    out = dict(value)
    for name, sub in props.items():
        if not isinstance(sub, Mapping):
            continue
        if name not in out and "default" in sub:
            out[name] = sub["default"]
        if name in out:
            out[name] = apply_defaults(sub, out[name])
    return out


def prepare_input(workflow: Workflow, value: Any) -> dict[str, Any]:
    """Check a run's input against the trigger schema, defaults applied.

    Raises :class:`InputError` listing every problem with its JSON pointer.
    """
    schema = workflow.trigger.input_schema
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise InputError(
            f"the input must be a JSON object, not {type(value).__name__}",
            [("", 'give a JSON object such as {"email": "…"}')],
        )
    value = apply_defaults(schema, value)
    cls = jsonschema.Draft202012Validator
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    problems = []
    for err in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        pointer = "".join(f"/{p}" for p in err.absolute_path)
        problems.append((pointer, err.message))
    if problems:
        raise InputError(
            f"the input does not match the input schema of '{workflow.name}' "
            f"({len(problems)} problem(s)); fix the input and run again",
            problems,
        )
    return dict(value)


class Execution:
    """One run of one workflow, advanced a step at a time.

    Build it with the workflow (already validated), the prepared input and
    the run-as role, then call :meth:`next` until it returns ``None``, or
    :meth:`run`.
    """

    def __init__(
        self,
        workflow: Workflow,
        input: dict[str, Any],
        *,
        role: Role,
        env: Environment,
        hooks: Sequence[Hooks] = (),
        run_id: str | None = None,
        workflow_id: str | None = None,
        version: int | None = None,
        started_by: str = "notebook",
        dry_run: bool = False,
        idempotency_key: str | None = None,
        rerun_of: str | None = None,
    ) -> None:
        self.workflow = workflow
        self.role = role
        self.env = env
        self.hooks = list(hooks)
        self.record: Draft[RunRecord] = Draft(
            RunRecord,
            run_id=run_id or uuid.uuid4().hex,
            workflow_id=workflow_id,
            workflow=workflow.name,
            version=version,
            status="queued",
            input=input,
            run_as=role.name,
            started_by=started_by,
            dry_run=dry_run,
            started_at=env.clock(),
            idempotency_key=idempotency_key,
            rerun_of=rerun_of,
        )
        self._seq = itertools.count(1)
        self._lock = threading.Lock()  # seq numbers, record list
        self._cancel = threading.Event()
        self._steps: Iterator[StepRecord] | None = None
        self._start = 0.0
        self._started: RunRecord | None = None  # what step listeners see as ``run``

    # -- public
    @property
    def run_id(self) -> str:
        return str(self.record.run_id)

    @property
    def done(self) -> bool:
        return self.record.ended_at is not None

    def result(self) -> RunRecord:
        """The run as it stands now, frozen."""
        return self.record.freeze()

    def cancel(self) -> None:
        """Ask the run to stop; it ends ``cancelled`` at the next step boundary or wait."""
        self._cancel.set()

    def next(self) -> StepRecord | None:
        """Run until the next step finishes and return it; ``None`` once the run has ended."""
        if self.done:
            return None
        if self._steps is None:
            self._begin()
            self._steps = self._block(self.workflow.steps, {}, "", None)
        try:
            return next(self._steps)
        except StopIteration:
            self._end("succeeded", None)
        except _StepFailed as failed:
            self._end("failed", failed.record.error)
        except RunCancelled:
            self._end("cancelled", "the run was cancelled")
        except RunAborted as exc:
            self._end("failed", str(exc))
        except Exception as exc:  # a bug must still end the run, recorded
            self._end("failed", f"internal error: {type(exc).__name__}: {exc}")
        return None

    def run(self) -> RunRecord:
        """Run to the end and return the record."""
        while self.next() is not None:
            pass
        return self.record.freeze()

    # -- lifecycle
    def _begin(self) -> None:
        self._start = time.perf_counter()
        self.record.status = "running"
        self.record.started_at = self.env.clock()
        self._started = self.record.freeze()
        self._emit("run_started", run=self._started)

    def _end(self, status: str, error: str | None) -> None:
        if status != "cancelled" and self._cancel.is_set():
            status, error = "cancelled", "the run was cancelled"
        rec = self.record
        rec.status, rec.error = status, error
        rec.output = self._outputs
        rec.ended_at = self.env.clock()
        rec.duration_ms = (time.perf_counter() - self._start) * 1000
        self._emit("run_finished", run=rec.freeze())

    @property
    def _outputs(self) -> dict[str, Any]:
        top = {n.id for n in self.workflow.steps}
        return {
            s.node: s.output
            for s in self.record.steps
            if s.node in top and s.status in ("succeeded", "simulated")
        }

    def _emit(self, method: str, **kwargs: Any) -> None:
        for hook in self.hooks:
            getattr(hook, method)(**kwargs)

    def _new_step(self, node: Node, path: str, iteration: int | None) -> Draft[StepRecord]:
        with self._lock:
            seq = next(self._seq)
        return Draft(
            StepRecord,
            run_id=self.run_id,
            seq=seq,
            node=node.id,
            path=path,
            kind=node.kind,
            action=node.action if isinstance(node, ActionNode) else None,
            iteration=iteration,
            status="running",
            started_at=self.env.clock(),
        )

    def _open_step(
        self, node: Node, path: str, iteration: int | None
    ) -> tuple[Draft[StepRecord], float]:
        rec = self._new_step(node, path, iteration)
        self._emit("step_started", run=self._started, step=rec.freeze())
        return rec, time.perf_counter()

    def _finish(
        self,
        draft: Draft[StepRecord],
        status: StepStatus,
        *,
        durable: bool = False,
        t0: float | None = None,
    ) -> StepRecord:
        draft.status = status
        draft.ended_at = self.env.clock()
        if t0 is not None:
            draft.duration_ms = (time.perf_counter() - t0) * 1000
        step = draft.freeze()
        self._emit("step_finished", run=self._started, step=step, durable=durable)
        with self._lock:  # after the hooks: a durable write that failed is not kept twice
            self.record.steps.append(step)
        return step

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise RunCancelled("the run was cancelled")

    # -- the interpreter
    def _scope(self, steps: dict[str, Any], loops: dict[str, Any]) -> dict[str, Any]:
        return {"input": self.record.input, "steps": steps, **loops}

    def _block(
        self,
        nodes: Sequence[Node],
        steps: dict[str, Any],
        prefix: str,
        iteration: int | None,
        loops: dict[str, Any] | None = None,
    ) -> Iterator[StepRecord]:
        """Run ``nodes`` in order, writing their results into ``steps``; yield each record."""
        loops = loops or {}
        for node in nodes:
            self._check_cancel()
            path = f"{prefix}.{node.id}" if prefix else node.id
            if isinstance(node, ActionNode):
                rec = self._action(node, self._scope(steps, loops), path, iteration)
                steps[node.id] = {"output": rec.output, "status": rec.status}
                yield rec
                if rec.status == "failed" and node.on_error == "fail":
                    raise _StepFailed(rec)
            elif isinstance(node, IfElseNode):
                yield from self._if_else(node, steps, path, iteration, loops)
            else:
                yield from self._loop(node, steps, path, iteration, loops)

    def _if_else(
        self,
        node: IfElseNode,
        steps: dict[str, Any],
        path: str,
        iteration: int | None,
        loops: dict[str, Any],
    ) -> Iterator[StepRecord]:
        rec, t0 = self._open_step(node, path, iteration)
        try:
            value = ex.render(node.condition, self._scope(steps, loops))
        except ExpressionError as exc:
            rec.error = f"condition: {exc}"
            failed = self._finish(rec, "failed", t0=t0)
            yield failed
            raise _StepFailed(failed) from None
        branch = "then" if value else "else"
        rec.attempts = 1
        rec.output = {"branch": branch, "condition": bool(value)}
        steps[node.id] = {"output": rec.output, "status": "succeeded"}
        yield self._finish(rec, "succeeded", t0=t0)
        taken, other = (node.then, node.else_) if value else (node.else_, node.then)
        other_name = "else" if value else "then"
        yield from self._block(taken, steps, f"{path}.{branch}", iteration, loops)
        yield from self._skip(other, steps, f"{path}.{other_name}", iteration)

    def _skip(
        self, nodes: Sequence[Node], steps: dict[str, Any], prefix: str, iteration: int | None
    ) -> Iterator[StepRecord]:
        for node in nodes:
            path = f"{prefix}.{node.id}"
            rec = self._new_step(node, path, iteration)
            steps[node.id] = {"output": None, "status": "skipped"}
            yield self._finish(rec, "skipped")
            for branch, body in children(node):
                yield from self._skip(body, steps, f"{path}.{branch}", iteration)

    def _loop(
        self,
        node: LoopNode,
        steps: dict[str, Any],
        path: str,
        iteration: int | None,
        loops: dict[str, Any],
    ) -> Iterator[StepRecord]:
        rec, t0 = self._open_step(node, path, iteration)
        try:
            items = ex.render(node.items, self._scope(steps, loops))
        except ExpressionError as exc:
            items, rec.error = None, f"items: {exc}"
        if rec.error is None and not isinstance(items, list):
            rec.error = (
                f"items gave {type(items).__name__ if items is not None else 'null'}, "
                "not a list; wrap it as default(x, []) or fix the expression"
            )
        elif isinstance(items, list) and len(items) > node.max_iterations:
            rec.error = (
                f"{len(items)} items but max_iterations is {node.max_iterations}: "
                "nothing was run; raise the bound or narrow the list"
            )
        if rec.error is not None:
            steps[node.id] = {"output": None, "status": "failed"}
            failed = self._finish(rec, "failed", t0=t0)
            yield failed
            raise _StepFailed(failed)
        assert isinstance(items, list)
        rec.params = {"items": len(items)}
        results: list[dict[str, Any] | None] = [None] * len(items)
        failures: list[StepRecord] = []

        def body(i: int, item: Any) -> Iterator[StepRecord]:
            local = dict(steps)
            scope_vars = {**loops, node.as_: item, "loop": {"index": i}}
            try:
                yield from self._block(node.steps, local, f"{path}[{i}]", i, scope_vars)
            except _StepFailed as failed:
                failures.append(failed.record)
            results[i] = {n.id: (local.get(n.id) or {}).get("output") for n in node.steps}

        if node.concurrency == 1 or len(items) <= 1:
            for i, item in enumerate(items):
                yield from body(i, item)
                if failures and node.on_item_error == "fail":
                    break
        else:
            yield from self._concurrent(node, items, body, failures)
        self._check_cancel()
        rec.attempts = 1
        rec.output = results
        status: StepStatus = "failed" if failures and node.on_item_error == "fail" else "succeeded"
        if failures:
            first = failures[0]
            rec.error = f"{len(failures)} iteration(s) failed; first at {first.path}: {first.error}"
        steps[node.id] = {"output": results, "status": status}
        done = self._finish(rec, status, t0=t0)
        yield done
        if status == "failed":
            raise _StepFailed(done)

    def _concurrent(
        self,
        node: LoopNode,
        items: list[Any],
        body: Callable[[int, Any], Iterator[StepRecord]],
        failures: list[StepRecord],
    ) -> Iterator[StepRecord]:
        """Run iterations on worker threads; yield their records as they finish."""
        done: queue.Queue[StepRecord | None] = queue.Queue()
        stop = threading.Event()

        def work(i: int, item: Any) -> None:
            try:
                if stop.is_set() or self._cancel.is_set():
                    return
                for record in body(i, item):
                    done.put(record)
                if failures and node.on_item_error == "fail":
                    stop.set()
            except RunCancelled:
                stop.set()
            finally:
                done.put(None)

        with ThreadPoolExecutor(
            max_workers=node.concurrency, thread_name_prefix=f"wfbench-{node.id}"
        ) as pool:
            for i, item in enumerate(items):
                pool.submit(work, i, item)
            remaining = len(items)
            while remaining:
                record = done.get()
                if record is None:
                    remaining -= 1
                else:
                    yield record

    # -- actions
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
        if self.record.dry_run and spec.side_effects and not spec.dry_run_safe:
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
            ctx = self._context(rec, node)
            try:
                if writes:
                    with self.env.lock, self.env.transaction(spec):
                        output = self._call(spec, params, ctx, node)
                        return self._succeed(rec, spec, output, ctx, durable=True, t0=t0)
                with self.env.lock if spec.exclusive else contextlib.nullcontext():
                    output = self._call(spec, params, ctx, node)
                return self._succeed(rec, spec, output, ctx, durable=False, t0=t0)
            except (RunCancelled, RunAborted):
                raise
            except Exception as exc:  # any failure of a handler is the step's failure
                rec.error = _describe(exc)
                if isinstance(exc, PermissionDenied) or attempt == tries:
                    break
            delay = backoff * (2 ** (attempt - 1))
            if delay:
                self._wait(delay)
        return self._finish(rec, "failed", t0=t0)

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

    def _context(self, rec: Draft[StepRecord], node: ActionNode) -> ActionContext:
        perms = self.role.permissions
        directory = self.env.directory(perms, self.run_id) if self.env.directory else None
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
            raise WfbenchError(f"{spec.name} has no handler in this workbench")
        result = spec.handler(params, ctx)
        # Built-in directory actions finish in milliseconds and cannot be undone in a batch.
        late = ctx.deadline is not None and time.monotonic() > ctx.deadline
        if late and not spec.dry_run_safe:
            raise StepTimeout(f"took longer than timeout_s={node.timeout_s}")
        if isinstance(result, spec.output_model):
            return result
        try:
            return spec.output_model.model_validate(
                result.model_dump() if isinstance(result, BaseModel) else result
            )
        except ValidationError as exc:
            raise WfbenchError(
                f"{spec.name} returned output that does not match its output model: "
                f"{exc.errors(include_url=False)[0]['msg']}"
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


class RunHandle:
    """A run going on in a background thread."""

    def __init__(self, execution: Execution, thread: threading.Thread) -> None:
        self.execution = execution
        self._thread = thread

    @property
    def run_id(self) -> str:
        return self.execution.run_id

    @property
    def status(self) -> str:
        return str(self.execution.record.status)

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def cancel(self) -> None:
        self.execution.cancel()

    def wait(self, timeout: float | None = None) -> RunRecord:
        """Block until the run ends (or ``timeout`` seconds pass) and return its record."""
        self._thread.join(timeout)
        return self.execution.result()

    def __repr__(self) -> str:
        return f"<RunHandle {self.run_id} {self.status}>"


def start_background(
    execution: Execution, wrap: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext
) -> RunHandle:
    """Run ``execution`` on a daemon thread inside ``wrap()`` (for example a store session)."""

    def target() -> None:
        with wrap():
            execution.run()

    thread = threading.Thread(
        target=target, name=f"wfbench-run-{execution.run_id[:8]}", daemon=True
    )
    handle = RunHandle(execution, thread)
    thread.start()
    return handle


__all__ = [
    "Environment",
    "Execution",
    "Hooks",
    "RunHandle",
    "RunRecord",
    "StepRecord",
    "apply_defaults",
    "prepare_input",
    "start_background",
]
