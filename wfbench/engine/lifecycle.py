"""The bookkeeping of one run: its draft record, step numbers, hooks, cancellation.

Long runs stay in bounded memory (issue 12): every step record goes to the hooks
(the store's recorder writes them all to history as they come), but the run's
record keeps only the first :data:`KEPT_STEPS` of them in ``RunRecord.steps``
(``wb.steps(run_id)`` reads every one), and the run keeps the outputs of at most
:data:`KEPT_ITERATION_OUTPUTS` loop iterations in its loops' outputs (the first
ones; a later iteration's entry is ``null``: its steps' outputs are in history).
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from wfbench.engine.environment import Environment
from wfbench.errors import (
    RunCancelled,
)
from wfbench.model import ActionNode, Node, Workflow
from wfbench.roles import Role
from wfbench.runs import Draft, Hooks, RunRecord, StepRecord, StepStatus

#: How many step records a run's record keeps (the store has them all).
KEPT_STEPS = 10_000
#: How many loop iterations' outputs a run keeps in its loops' outputs, all loops together.
KEPT_ITERATION_OUTPUTS = 10_000
#: The fields of a step record that may carry a secret (masked by ``Environment.mask``).
MASKED_STEP_FIELDS = ("params", "output", "error", "change")
#: …and of a run record.
MASKED_RUN_FIELDS = ("input", "output", "error")


class _StepFailed(Exception):
    """A step failed and its ``on_error`` (or the loop's) says stop."""

    def __init__(self, record: StepRecord) -> None:
        super().__init__(record.error)
        self.record = record


class Lifecycle:
    """A run's record and its steps' records, and the listeners told about them.

    The parts of :class:`~wfbench.engine.execution.Execution` build on it: the
    interpreter (:mod:`.execution`) and the action attempts (:mod:`.attempts`).
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
        batch_id: str | None = None,
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
            batch_id=batch_id,
        )
        self._seq = itertools.count(1)
        self._lock = threading.Lock()  # seq numbers, record list
        self._cancel = threading.Event()
        self._steps: Iterator[StepRecord] | None = None
        self._start = 0.0
        self._started: RunRecord | None = None  # what step listeners see as ``run``
        self._top = {n.id for n in workflow.steps}
        self._top_outputs: dict[str, Any] = {}  # the run's output, kept as steps finish
        self._iteration_outputs = KEPT_ITERATION_OUTPUTS  # what is left of the budget

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
        for name in MASKED_RUN_FIELDS:  # once, before anyone sees the ended run
            setattr(rec, name, self.env.mask(getattr(rec, name)))
        self._emit("run_finished", run=rec.freeze())

    @property
    def _outputs(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._top_outputs)

    def _iteration_output(self, output: dict[str, Any]) -> dict[str, Any] | None:
        """``output`` while the run's budget of kept iteration outputs lasts, else ``None``."""
        with self._lock:
            if self._iteration_outputs <= 0:
                return None
            self._iteration_outputs -= 1
            return output

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
        for name in MASKED_STEP_FIELDS:  # once, before any listener or the run sees it
            setattr(draft, name, self.env.mask(getattr(draft, name)))
        step = draft.freeze()
        self._emit("step_finished", run=self._started, step=step, durable=durable)
        with self._lock:  # after the hooks: a durable write that failed is not kept twice
            if len(self.record.steps) < KEPT_STEPS:
                self.record.steps.append(step)
            if step.node in self._top and status in ("succeeded", "simulated"):
                self._top_outputs[step.node] = step.output
        return step

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise RunCancelled("the run was cancelled")
