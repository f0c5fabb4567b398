"""The interpreter: steps in order, if-else branches (the other one skipped), loops
(one item at a time or on worker threads)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wfbench import expressions as ex
from wfbench.engine.attempts import ActionSteps
from wfbench.engine.lifecycle import _StepFailed
from wfbench.errors import (
    ExpressionError,
    RunAborted,
    RunCancelled,
)
from wfbench.model import ActionNode, IfElseNode, LoopNode, Node, children
from wfbench.runs import RunRecord, StepRecord, StepStatus


class Execution(ActionSteps):
    """One run of one workflow, advanced a step at a time.

    Build it with the workflow (already validated), the prepared input and
    the run-as role, then call :meth:`next` until it returns ``None``, or
    :meth:`run`.
    """

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
            results[i] = self._iteration_output(  # bounded: see .lifecycle
                {n.id: (local.get(n.id) or {}).get("output") for n in node.steps}
            )

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
