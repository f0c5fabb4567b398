"""The façade: one object that wires the catalogue, the engine and the store.

``Workbench()`` opens the embedded default store (``./wfbench.duckdb``, or
``$WFBENCH_DB``); pass a path, or ``":memory:"`` for a throwaway one. The
store file is held only while an operation (a read, a save, a whole run) is
going on, so a notebook, the CLI and ``wfbench serve`` can share it; wrap many
operations in :meth:`Workbench.hold` to keep it across them.

History commit policy (group commit; :mod:`wfbench.store.recorder`): a run's directory
changes and its step records share batch transactions, committed every
:data:`FLUSH_INTERVAL_S` seconds (or :data:`FLUSH_ROWS` records), before any step that may
block (waits, HTTP, custom actions) and at the end; listeners hear of a finished step only
once its record is committed. A change never exists without its record, and a crash never
loses a step anyone was told had finished (README, "Secrets, crashes and sharing a store").

The class is composed of named parts, one module each (see :mod:`~wfbench.workbench.facade`):
``wb.workflows``, ``wb.runs``, ``wb.catalogue``, ``wb.access`` and ``wb.starter``;
:mod:`~wfbench.workbench.shapes` holds what the faces share (the run document) and the
façade's small rules (the idempotency rule, "name taken").
"""

from __future__ import annotations

from wfbench.gc_pause import paused

with paused():  # what loads below makes no garbage: ~20 ms less of every start
    from wfbench.engine import Hooks, RunHandle, RunRecord
    from wfbench.errors import IdempotencyConflict
    from wfbench.runs import RUN_FIELDS, RUN_STATUSES, STEP_FIELDS, StepRecord
    from wfbench.store import API_KEY_ROLES, ApiKey, KeptDraft, WorkflowInfo
    from wfbench.store.recorder import FLUSH_INTERVAL_S, FLUSH_ROWS
    from wfbench.workbench.facade import SAMPLES, SERVE_KEEP_OPEN_S, Workbench
    from wfbench.workbench.shapes import (
        RUN_KEYS,
        STEP_KEYS,
        InputCheck,
        OnConflict,
        Rows,
        run_document,
    )
    from wfbench.workbench.starter import Start, Started, Starter

# What the faces (widgets, CLI, HTTP API) may name: they import these from here (or from
# wfbench.runs), never from the store or the engine.
__all__ = [
    "API_KEY_ROLES",
    "FLUSH_INTERVAL_S",
    "FLUSH_ROWS",
    "RUN_FIELDS",
    "RUN_KEYS",
    "RUN_STATUSES",
    "SAMPLES",
    "SERVE_KEEP_OPEN_S",
    "STEP_FIELDS",
    "STEP_KEYS",
    "ApiKey",
    "Hooks",
    "IdempotencyConflict",
    "InputCheck",
    "KeptDraft",
    "OnConflict",
    "Rows",
    "RunHandle",
    "RunRecord",
    "Start",
    "Started",
    "Starter",
    "StepRecord",
    "Workbench",
    "WorkflowInfo",
    "run_document",
]
