"""A run on a background thread, so a notebook stays responsive."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from wfbench.engine.execution import Execution
from wfbench.runs import RunRecord


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
