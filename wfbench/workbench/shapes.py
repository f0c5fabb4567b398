"""The shapes the faces share, and the façade's small rules: one place each.

A run as ``wfbench run/show --json`` prints it and the HTTP API returns it
(:func:`run_document`), a table for a terminal
(:class:`Rows`), the idempotency
rule of a retried start (:func:`same_input_rule`) and the "name taken" refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from wfbench.errors import NameTaken
from wfbench.model import Workflow
from wfbench.runs import RUN_FIELDS, STEP_FIELDS
from wfbench.validation.inputs import InputCheck, apply_defaults

#: The keys of a run as ``wfbench run/show --json`` print it and the HTTP API returns it
#: (PRODUCT.md section 5): the run record's fields less the store's own ``workflow_id``.
RUN_KEYS = tuple(f for f in RUN_FIELDS if f != "workflow_id")
#: …and of each of its steps: the step record's fields less what ties a row to its run.
STEP_KEYS = tuple(f for f in STEP_FIELDS if f not in ("run_id", "started_at", "ended_at"))

#: ``Workbench.save(on_conflict=…)``: a name another workflow has makes a new version of
#: that workflow (the notebook's and ``wfbench import``'s way), or is refused with NameTaken.
OnConflict = Literal["new_version", "refuse"]


__all__ = [
    "RUN_KEYS",
    "STEP_KEYS",
    "InputCheck",
    "OnConflict",
    "Rows",
    "name_taken",
    "run_document",
    "same_input_rule",
]


def run_document(run: Mapping[str, Any]) -> dict[str, Any]:
    """A run (a ``wb.runs.get`` dict or ``RunRecord.to_dict()``) in the one shape the
    faces show: ``run``/``show --json`` and the HTTP API's run."""
    out = {k: run.get(k) for k in RUN_KEYS}
    out["steps"] = [{k: s.get(k) for k in STEP_KEYS} for s in run.get("steps", [])]
    return out


class Rows(NamedTuple):
    """A table as plain Python values (what a terminal prints without loading pandas):
    the column names, and one tuple per row in that order."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


def same_input_rule(first: Any, given: Any, workflow: Workflow) -> bool:
    """The idempotency rule, in one place: a retry repeats a start when its input is the
    first start's, as given or once the trigger's defaults are applied."""
    return bool(
        first == given or first == apply_defaults(workflow.trigger.input_schema, given or {})
    )


def name_taken(name: str) -> NameTaken:
    return NameTaken(
        f"a workflow named {name!r} already exists (names ignore case); open the "
        "existing one to change it, or choose another name",
        name=name,
    )
