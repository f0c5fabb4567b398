"""What a run reaches outside itself: the catalogue, the directory, connectors, a clock."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wfbench.actions import ActionRegistry, ActionSpec
from wfbench.actions.context import Connector
from wfbench.engine.invoke import Invoker, LocalInvoker


def _now() -> datetime:
    return datetime.now(UTC)


def _as_is(value: Any) -> Any:
    return value


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
    invoker: Invoker = field(default_factory=LocalInvoker)
    """Calls each attempt's handler with its deadline: on this process's threads, or
    remote actions on a Dask cluster (:class:`wfbench.engine.cluster.DaskInvoker`)."""
    clock: Callable[[], datetime] = _now
    mask: Callable[[Any], Any] = _as_is
    """Masks secrets (a connector's token, password…) in a recorded value: text, or lists
    and mappings of it. The engine applies it once, where it reports a record (a finished
    step, the ended run), so every listener, the caller and history hold the same masked
    record. The run starter fills it in (:mod:`wfbench.workbench.starter`)."""
    sleep: Callable[[float], None] = time.sleep
