"""History records as the store writes them: the values of a step row, of a run's end and of
an effect mark, in their tables' column order, checked and converted (JSON as text, times as
stored). One definition for every way they are written: an ``INSERT`` of a run's own commit
(:mod:`wfbench.store.history`) or a batch's held appenders (:mod:`wfbench.store.group_commit`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from wfbench.runs import ENDED_STATUSES, STEP_FIELDS, STEP_STATUSES
from wfbench.store.schema import stored_time
from wfbench.store.session import check_keys, encode

__all__ = [
    "EFFECT_FIELDS",
    "END_FIELDS",
    "FINAL",
    "RUN_JSON",
    "STEP_JSON",
    "effect_values",
    "end_values",
    "step_values",
]

#: A run's columns stored as JSON text.
RUN_JSON: Final = frozenset({"input", "output", "reasons"})
#: A step's columns stored as JSON text.
STEP_JSON: Final = frozenset({"params", "output"})
#: The statuses of a run that has ended (a refused start is recorded apart).
FINAL: Final = ENDED_STATUSES
#: The columns an ended run updates, in :func:`end_values` order (``run_id`` the key).
END_FIELDS: Final = ("run_id", "status", "output", "error", "ended_at", "duration_ms")


def end_values(end: Mapping[str, Any]) -> list[Any]:
    """How a run ended (:meth:`History.finish_run`'s keywords with ``run_id``) as stored, in
    :data:`END_FIELDS` order."""
    if end["status"] not in FINAL:
        raise ValueError(f"finish_run takes status {', '.join(FINAL)}, not {end['status']!r}")
    return [
        end["run_id"],
        end["status"],
        encode(end["output"]),
        end["error"],
        stored_time(end["ended_at"]),
        end["duration_ms"],
    ]


def step_values(step: Mapping[str, Any]) -> list[Any]:
    """A step record's values as stored, in :data:`STEP_FIELDS` order: ``params`` and
    ``output`` as JSON, a ``change`` given as a list as one text (one change per line)."""
    check_keys(step, STEP_FIELDS, "write_steps")
    status = step.get("status")
    if status not in STEP_STATUSES:
        raise ValueError(f"step status must be one of {', '.join(STEP_STATUSES)}, not {status!r}")
    values = []
    for name in STEP_FIELDS:
        value = step.get(name)
        if name in STEP_JSON:
            value = encode(value)
        elif name == "change" and isinstance(value, list | tuple):
            value = "\n".join(str(v) for v in value) if value else None
        elif name in ("started_at", "ended_at"):
            value = stored_time(value)
        values.append(value)
    return values


#: The columns of an effect mark (:mod:`wfbench.store.effects`), in table order.
EFFECT_FIELDS: Final = ("run_id", "seq", "action", "idempotent")


def effect_values(mark: Mapping[str, Any]) -> list[Any]:
    """An effect mark's values, in :data:`EFFECT_FIELDS` order."""
    return [mark["run_id"], int(mark["seq"]), mark["action"], bool(mark["idempotent"])]
