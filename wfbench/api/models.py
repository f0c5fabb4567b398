"""The HTTP API's shapes: its paths' prefix and the response models.

A run and its steps are not listed again here: :data:`RunSummary`, :data:`StepOut`
and :data:`RunOut` are built from the run record's fields (``RUN_KEYS``/``STEP_KEYS``,
the shape ``wfbench show --json`` prints) and their types, so the API, the CLI and
history cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional, get_type_hints

from pydantic import BaseModel, create_model

from wfbench.model import Workflow, to_document
from wfbench.workbench import (
    RUN_KEYS,
    STEP_KEYS,
    RunRecord,
    StepRecord,
    WorkflowInfo,
    run_document,
)

PREFIX = "/api/v2/workflows"

#: Fields a run or step always has; every other may be null in an answer (a rejected start
#: has no version or output, a step that did not run has no attempts).
_ALWAYS = frozenset({"run_id", "status", "dry_run", "seq"})


def _fields(record: type, keys: tuple[str, ...]) -> dict[str, Any]:
    hints = get_type_hints(record)
    return {
        key: (hints[key] if key in _ALWAYS else Optional[hints[key]], ...)  # noqa: UP045
        for key in keys
    }


StepOut = create_model("StepOut", __doc__="One step of a run.", **_fields(StepRecord, STEP_KEYS))
RunSummary = create_model(
    "RunSummary",
    __doc__="A run without its steps, as ``GET …/runs`` lists it.",
    **_fields(RunRecord, RUN_KEYS),
)
RunOut = create_model(
    "RunOut",
    __doc__="A run with its steps: the shape ``wfbench show --json`` prints.",
    __base__=RunSummary,
    steps=(list[StepOut], ...),
)


class WorkflowSummary(BaseModel):
    id: str
    name: str
    type: str
    enabled: bool
    run_as: str
    version: int
    last_run_status: str | None
    last_run_at: datetime | None
    run_count: int
    updated_at: datetime
    rejected_count: int = 0


class WorkflowOut(BaseModel):
    id: str
    name: str
    description: str
    type: str
    enabled: bool
    run_as: str
    version: int
    created_at: datetime
    updated_at: datetime
    definition: dict[str, Any]


class RunAccepted(BaseModel):
    run_id: str
    status: str
    href: str


def workflow_out(info: WorkflowInfo, workflow: Workflow) -> dict[str, Any]:
    """The JSON of one workflow: its state and its current definition."""
    out = WorkflowOut(
        id=info.id,
        name=info.name,
        description=info.description,
        type=workflow.type,
        enabled=info.enabled,
        run_as=info.run_as,
        version=info.version,
        created_at=info.created_at,
        updated_at=info.updated_at,
        definition=to_document(workflow),
    )
    return out.model_dump(mode="json")


def run_out(record: dict[str, Any]) -> dict[str, Any]:
    """The JSON of one run with its steps: ``wfbench show --json``'s shape."""
    return RunOut.model_validate(run_document(record)).model_dump(mode="json")


def run_summaries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The JSON of runs listed without their steps."""
    return [RunSummary.model_validate(r).model_dump(mode="json") for r in rows]
