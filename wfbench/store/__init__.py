"""The DuckDB store: definitions and their versions, runs, steps, access.

One DuckDB file holds everything (the directory's tables too, created by
:func:`wfbench.directory.create_directory` when the store opens). The engine
never imports this package; the workbench hands the engine a
:class:`~wfbench.store.recorder.Recorder` that writes history through it.

Modules: :mod:`.session` (the file, its turns and transactions), :mod:`.turns`
(the first-come, first-served line of processes waiting for the file),
:mod:`.schema` (the tables), :mod:`.definitions`, :mod:`.drafts` (unsaved drafts, saved
cases), :mod:`.history`, :mod:`.access`
(API keys, custom roles, connectors) and :mod:`.recorder` (a run's group-commit
writer).
"""

from __future__ import annotations

from wfbench.runs import RUN_FIELDS, RUN_STATUSES, STEP_FIELDS, STEP_STATUSES
from wfbench.store.access import API_KEY_ROLES, Access, ApiKey
from wfbench.store.definitions import WorkflowInfo
from wfbench.store.drafts import Drafts, KeptDraft
from wfbench.store.effects import Effects
from wfbench.store.schema import SCHEMA_VERSION

__all__ = [
    "API_KEY_ROLES",
    "RUN_FIELDS",
    "RUN_STATUSES",
    "SCHEMA_VERSION",
    "STEP_FIELDS",
    "STEP_STATUSES",
    "ApiKey",
    "KeptDraft",
    "Store",
    "WorkflowInfo",
]


class Store(Effects, Access, Drafts):
    """Definitions, versions, runs and steps in one DuckDB database.

    ``path`` is a file (created with its tables when missing) or ``":memory:"``.
    ``lock_timeout`` bounds the wait for a file another process holds; when
    ``None`` it is ``$WFBENCH_LOCK_TIMEOUT`` or 10 seconds. ``clock`` and ``ids``
    make timestamps and new ids repeatable in tests (``ids("wf")`` gives a new
    workflow id).

    Every public method opens a :meth:`session` itself; wrap several calls in
    one session to hold the file across them.
    """

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    def __enter__(self) -> Store:
        return self
