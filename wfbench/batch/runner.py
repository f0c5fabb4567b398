"""The batch runner: one workflow run once per input row, with progress, cancel and resume.

:class:`Batch` is what :meth:`wfbench.Workbench.run_many` and ``wfbench run --inputs``
drive. Every row becomes an ordinary recorded run (a rejected start too) tagged with the
batch's id and an idempotency key made of the batch id and the row's position
(``<batch>:<row>``). Calling it again with the same batch resumes it: a row whose run
already succeeded with the same input is not run again (its outcome is read back); a
row whose last run ended otherwise (failed, rejected, cancelled, interrupted) runs again
only if no side effect that is not idempotent had started in it (the store's effect
marks, :mod:`wfbench.store.effects`): otherwise its effects may have happened, and it
stays as it ended ("not run again: effects may have happened …") unless the caller names
it in ``rerun_interrupted`` (row labels, or ``True`` for every such row). A batch id runs
once at a time: starting it while it runs (here or in another process) raises
:class:`~wfbench.errors.BatchRunning`.

Runs go on ``concurrency`` threads of this process, which stays the store's only writer
(their directory changes commit one at a time, :func:`one_writer`);
each run's remote actions may go to a Dask cluster through its environment's invoker
(:mod:`wfbench.engine.cluster`). :meth:`Batch.cancel` stops starting rows and cancels the
runs going on (their futures with them); every run it started ends ``cancelled`` (or as
it ended before), none stays ``running``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from wfbench.batch.inputs import normalise_inputs
from wfbench.engine import Execution, RunRecord
from wfbench.errors import IdempotencyConflict, InputError, RunRejected, UsageError

#: The columns of a batch's outcomes, in order.
OUTCOME_COLUMNS = (
    "row",
    "batch_id",
    "run_id",
    "status",
    "output",
    "error",
    "duration_ms",
    "resumed",
)


def new_batch_id() -> str:
    return "batch_" + uuid.uuid4().hex[:12]


def row_key(batch_id: str, row: int) -> str:
    """The idempotency key of a batch's row: the same row of the same batch, the same key."""
    return f"{batch_id}:{row}"


@dataclass(frozen=True)
class Port:
    """What a batch needs from the workbench that runs it."""

    prepare: Callable[[dict[str, Any], str], Execution]
    """``(input, key) -> Execution`` tagged with the batch; raises :class:`RunRejected`."""
    previous: Callable[[], pd.DataFrame]
    """The batch's runs so far, newest first."""
    same_input: Callable[[Any, dict[str, Any]], bool]
    """Whether a past run's input is this row's (defaults applied)."""
    effects: Callable[[list[str]], dict[str, list[str]]] = lambda ids: {}
    """For past run ids, the side effects (not idempotent) that had started in each."""
    claim: Callable[[str], AbstractContextManager[Any]] = lambda batch_id: contextlib.nullcontext()
    """Holds the batch id while the batch goes; raises ``BatchRunning`` if it is held."""


@dataclass
class Progress:
    """How a batch stands; given to the progress callback after each row."""

    total: int
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    dashboard: str | None = None
    cancelled: bool = False
    started: float = field(default_factory=time.monotonic)
    cancel: Callable[[], None] = lambda: None
    """Cancels the batch (a progress bar's Cancel button calls it)."""

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    def line(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in sorted(self.counts.items()))
        return f"{self.done}/{self.total} runs ({counts or 'none yet'}) in {self.elapsed_s:.1f} s"


class Batch:
    """One batch: the rows to run, the runs going on, their outcomes."""

    def __init__(
        self,
        port: Port,
        inputs: Any,
        *,
        batch_id: str | None,
        concurrency: int = 4,
        progress: Callable[[Progress], None] | None = None,
        dashboard: str | None = None,
        hold: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext,
        on_end: Callable[[], None] | None = None,
        rerun_interrupted: bool | Iterable[Any] = False,
    ) -> None:
        if concurrency < 1:
            raise UsageError(f"concurrency must be 1 or more, not {concurrency}")
        self.port = port
        self.labels, self.inputs = normalise_inputs(inputs)
        self.batch_id = batch_id or new_batch_id()
        self.concurrency = concurrency
        self.outcomes: list[dict[str, Any] | None] = [None] * len(self.inputs)
        self.progress = Progress(total=len(self.inputs), dashboard=dashboard, cancel=self.cancel)
        self._hold = hold
        self._on_end = on_end
        self._report = progress
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._active: dict[int, Execution] = {}
        self._thread: threading.Thread | None = None
        # set when the thread's work is over: Thread.join/is_alive cannot be trusted after
        # an interrupt landed inside join() (before Python 3.13, is_alive() may then read
        # False while the thread still runs, and the frame came back with rows "pending")
        self._finished = threading.Event()
        self._failure: BaseException | None = None
        self._rerun: bool | None = None
        self._rerun_rows: set[str] = set()
        if isinstance(rerun_interrupted, bool):
            self._rerun = rerun_interrupted
        else:
            self._rerun_rows = {str(r) for r in rerun_interrupted}
        self._claimed = contextlib.ExitStack()

    # -- control
    def start(self) -> Batch:
        """Run the batch on a background thread (see :meth:`wait`, :meth:`cancel`)."""

        try:
            self._claimed.enter_context(self.port.claim(self.batch_id))
            with self._hold():
                todo = self._resume()  # refusals (a changed row) raise here, in the caller
        except BaseException:
            self._end()
            raise

        def target() -> None:
            try:
                with self._hold():
                    self._run(todo)
            except BaseException as exc:  # handed to wait()
                self._failure = exc
            finally:
                self._end()
                self._finished.set()

        self._thread = threading.Thread(target=target, name=f"wfbench-{self.batch_id}")
        self._thread.daemon = True
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> pd.DataFrame:
        """Block until the batch ends (Ctrl-C / a kernel interrupt cancels it) and return
        its outcomes."""
        assert self._thread is not None, "start() the batch first"
        try:
            self._finished.wait(timeout)
        except KeyboardInterrupt:
            self.cancel()
            self.settle()
        if self._failure is not None:
            raise self._failure
        return self.frame()

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until the batch's thread has ended (or ``timeout``), whatever interrupts
        come meanwhile (each one cancels): the frame read afterwards holds every row's
        final outcome, as the progress bar and history do (none left ``pending``).
        Whether it has ended."""
        assert self._thread is not None, "start() the batch first"
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._finished.is_set():
            left = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
            if left <= 0:
                return False
            try:
                self._finished.wait(left)
            except KeyboardInterrupt:
                self.cancel()
        return True

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    def cancel(self) -> None:
        """Start no more rows and cancel the runs going on (and their Dask futures)."""
        self._cancel.set()
        self.progress.cancelled = True
        with self._lock:
            for execution in self._active.values():
                execution.cancel()

    # -- the work
    def run(self) -> pd.DataFrame:
        """Run every row that needs it, on this thread; return the outcomes."""
        try:
            self._claimed.enter_context(self.port.claim(self.batch_id))
            with self._hold():
                return self._run(self._resume())
        finally:
            self._end()

    def _end(self) -> None:
        """What the batch's owner asked to be done when it ends (once), e.g. closing the
        Dask client it connected for this batch."""
        self._claimed.close()
        end, self._on_end = self._on_end, None
        if end is not None:
            end()

    def _run(self, todo: list[int]) -> pd.DataFrame:
        self._tick()
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="wfbench-batch") as pool:
            for _ in pool.map(self._row, todo):
                pass
        return self.frame()

    def _resume(self) -> list[int]:
        """The rows to run; fills in the outcomes of rows that already succeeded."""
        past = self.port.previous()
        latest: dict[str, dict[str, Any]] = {}
        for rec in past.to_dict(orient="records"):  # newest first
            latest.setdefault(str(rec["idempotency_key"]), {str(k): v for k, v in rec.items()})
        todo, changed, held = [], [], {}
        for i, given in enumerate(self.inputs):
            prev = latest.get(row_key(self.batch_id, i))
            if prev is None:
                todo.append(i)
            elif prev["status"] != "succeeded":
                held[i] = prev
            elif not self.port.same_input(prev["input"], given):
                changed.append(str(self.labels[i]))
            else:
                self._set(i, prev, resumed=True)
        effects = self.port.effects([str(p["run_id"]) for p in held.values()])
        for i, prev in held.items():
            started = effects.get(str(prev["run_id"]))
            if not started or self._asked(i):
                todo.append(i)
                continue
            status = "interrupted" if prev["status"] in ("running", "queued") else prev["status"]
            names = ", ".join(dict.fromkeys(started))
            self._set(
                i,
                {
                    **prev,
                    "status": status,
                    "error": f"not run again: effects may have happened ({names} had started "
                    f"in run {prev['run_id']}, which ended {prev['status']}); check them, then "
                    "re-run this row by name (rerun_interrupted=[row], or wfbench run … "
                    f"--rerun-interrupted {self.labels[i]})",
                },
                resumed=True,
            )
        todo.sort()
        if changed:
            raise IdempotencyConflict(
                f"batch {self.batch_id}: row(s) {', '.join(changed[:20])} already succeeded "
                "with another input; resume with the same inputs, or start a new batch"
            )
        return todo

    def _asked(self, i: int) -> bool:
        """Whether the caller asked by name to run row ``i`` again."""
        if self._rerun is not None:
            return self._rerun
        return str(self.labels[i]) in self._rerun_rows

    def _row(self, i: int) -> None:
        if self._cancel.is_set():
            self._set(i, {"status": "cancelled", "error": "not started: the batch was cancelled"})
            return
        key = row_key(self.batch_id, i)
        try:
            execution = self.port.prepare(self.inputs[i], key)
        except RunRejected as exc:
            self._set(i, {"run_id": exc.run_id, "status": "rejected", "error": str(exc)})
            return
        except InputError as exc:  # unreadable input: no run could be recorded
            self._set(i, {"status": "rejected", "error": str(exc)})
            return
        with self._lock:
            self._active[i] = execution
            if self._cancel.is_set():
                execution.cancel()
        try:
            record: RunRecord = execution.run()
        finally:
            with self._lock:
                self._active.pop(i, None)
        self._set(i, record.to_dict(steps=False))

    def _set(self, i: int, rec: Mapping[str, Any], *, resumed: bool = False) -> None:
        status = str(rec.get("status"))
        self.outcomes[i] = {
            "row": self.labels[i],
            "batch_id": self.batch_id,
            "run_id": rec.get("run_id"),
            "status": status,
            "output": rec.get("output"),
            "error": rec.get("error"),
            "duration_ms": rec.get("duration_ms"),
            "resumed": resumed,
        }
        with self._lock:
            self.progress.done += 1
            self.progress.counts[status] = self.progress.counts.get(status, 0) + 1
        self._tick()

    def _tick(self) -> None:
        if self._report is not None:
            try:
                self._report(self.progress)
            except Exception:  # a display must never stop the batch
                self._report = None

    def frame(self) -> pd.DataFrame:
        """One row per input, in input order (rows not finished yet read ``pending``)."""
        rows = [
            o
            if o is not None
            else {**dict.fromkeys(OUTCOME_COLUMNS), "row": self.labels[i], "status": "pending"}
            for i, o in enumerate(self.outcomes)
        ]
        frame = pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))
        frame["batch_id"] = self.batch_id
        return frame


def one_writer(
    transaction: Callable[[Any], AbstractContextManager[Any]], lock: threading.Lock
) -> Callable[[Any], AbstractContextManager[Any]]:
    """A run's ``Environment.transaction`` for a batch whose runs go at once: every
    directory change commits on its own, right away, while it holds the batch's ``lock``,
    so two runs never hold open changes that could collide (DuckDB would refuse the
    second commit, for example two new outbox messages taking the same id).

    A remote action (``http.request``) changes nothing here: around it the run only
    commits records, which go with the batch's group commit
    (:mod:`wfbench.store.group_commit`) without the lock, so many runs' records commit
    together instead of one run at a time (issue 22)."""

    @contextlib.contextmanager
    def transaction_alone(spec: Any) -> Iterator[Any]:
        if getattr(spec, "remote", False):
            with transaction(spec) as value:
                yield value
            return
        with lock, transaction(dataclasses.replace(spec, batched=False)) as value:
            yield value

    return transaction_alone
