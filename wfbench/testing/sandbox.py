"""Where a test case runs: the real directory inside a transaction that is rolled back.

Built on the engine's public seams, nothing else:

* an **action registry** copied from the workbench's catalogue, each handler wrapped:
  a mocked call (by step id, else by action) returns the mock's output or raises its
  error; an unmocked action whose effect leaves the machine (``http.request``, any
  custom action with side effects) raises :class:`MockNeeded` without being called;
  every other handler (the built-in directory actions, reads, ``core.*``) really runs;
* an :class:`~wfbench.engine.Environment` whose directory is a
  :class:`~wfbench.directory.Directory` on the cursor of the run starter's sandbox
  (``wb.starter.sandbox()``: a transaction opened before the run and **rolled back**
  after it), and the run started by ``wb.starter.rehearse`` (the same refusals as any
  start): steps succeed or fail exactly as
  in a real run (``dry_run`` stays off, so nothing is ``simulated``), their changes can
  be read back before the rollback, and none of them outlives the case;
* no history hook: the run is never written to the store's history.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import duckdb

from wfbench.actions import ActionRegistry, ActionSpec, builtin_registry
from wfbench.errors import ActionError, RunCancelled
from wfbench.testing.cases import Mock
from wfbench.testing.changes import ChangeLog


class MockNeeded(ActionError):
    """An action that reaches outside the machine was about to run unmocked."""

    def __init__(self, step: str, action: str) -> None:
        super().__init__(
            f"mock needed for step {step}: {action} reaches outside the machine, so a test "
            f'does not run it; add "mocks": {{"{step}": {{"output": {{…}}}}}}'
        )
        self.step = step
        self.action = action


@cache
def _local_builtins() -> frozenset[str]:
    """Built-in actions whose effects stay in the store (the directory, its outbox)."""
    return frozenset(s.name for s in builtin_registry() if s.category != "http")


def leaves_machine(spec: ActionSpec) -> bool:
    """Whether running ``spec`` for real could change something outside the store."""
    return spec.side_effects and spec.name not in _local_builtins()


def step_of(path: str) -> str:
    """The step id at the end of a run path (``a.then.each[2].leave`` → ``leave``)."""
    return path.rsplit(".", 1)[-1].split("[", 1)[0]


@dataclasses.dataclass
class Calls:
    """What the wrapped handlers saw during one case."""

    mocked: list[str] = dataclasses.field(default_factory=list)
    """Step ids whose call a mock replaced, in call order."""
    needed: list[str] = dataclasses.field(default_factory=list)
    """Step ids refused for want of a mock."""
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def _wrap(
    spec: ActionSpec, mocks: Mapping[str, Mock], calls: Calls, deadline: float | None
) -> Callable[..., Any]:
    original = spec.handler

    def handler(params: Any, ctx: Any) -> Any:
        if deadline is not None and time.monotonic() >= deadline:
            raise RunCancelled("the test case ran past its deadline (timeout_s)")
        step = step_of(ctx.path)
        mock = mocks.get(step) or mocks.get(spec.name)
        if mock is not None:
            with calls.lock:
                calls.mocked.append(step)
            if mock.error is not None:
                raise ActionError(mock.error)
            return mock.output
        if leaves_machine(spec):
            with calls.lock:
                calls.needed.append(step)
            raise MockNeeded(step, spec.name)
        if spec.name == "core.wait":  # a case takes no real time: the wait is recorded
            ctx.log(f"waited {params.seconds:g} s (not in real time: a test case)")
            return spec.output_model.model_validate({"seconds": params.seconds})
        if original is None:
            raise ActionError(f"{spec.name} has no handler in this workbench")
        return original(params, ctx)

    return handler


def sandbox_registry(
    catalogue: ActionRegistry,
    mocks: Mapping[str, Mock],
    calls: Calls,
    *,
    deadline: float | None = None,
) -> ActionRegistry:
    """A copy of ``catalogue`` whose handlers obey ``mocks`` and refuse outside effects."""
    return ActionRegistry(
        dataclasses.replace(spec, handler=_wrap(spec, mocks, calls, deadline)) for spec in catalogue
    )


class SandboxDirectory:
    """The directory a case's run sees: one cursor, one transaction, always rolled back.

    Its :attr:`log` watches every write (:class:`~wfbench.testing.changes.ChangeLog`), so
    :meth:`changes` reads back only the rows the run wrote."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.lock = threading.RLock()
        self.log = ChangeLog()
        self._directory: Any = None

    def __call__(self, permissions: frozenset[str], run_id: str) -> Any:
        from wfbench.directory import Directory

        with self.lock:
            if self._directory is None:
                self._directory = Directory(self.con, permissions, run_id=run_id, watcher=self.log)
            return self._directory

    def changes(self) -> list[str]:
        """The directory changes the run made so far, in words (before the rollback)."""
        with self.lock:
            return self.log.changes(self.con)


__all__ = [
    "Calls",
    "MockNeeded",
    "SandboxDirectory",
    "leaves_machine",
    "sandbox_registry",
    "step_of",
]
