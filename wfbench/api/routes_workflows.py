"""Routes on definitions: list, create, read, update (or enable/disable), delete."""

import json
from typing import Annotated, Any

from fastapi import Depends, Path, Response
from fastapi.responses import JSONResponse

from wfbench.api.app import EDITOR, VIEWER, workbench
from wfbench.api.models import PREFIX, WorkflowOut, WorkflowSummary, workflow_out
from wfbench.api.problems import definition_problem, errors_for
from wfbench.api.requests import (
    Caller,
    Routes,
    location_header,
    read_json,
    request_body,
    split_enabled,
)
from wfbench.model import Workflow, dump_workflow
from wfbench.validation import Report
from wfbench.workbench import Workbench, WorkflowInfo

_REF = "The workflow's id, or its name (URL-encoded; names ignore case)."
WorkflowRef = Annotated[str, Path(description=_REF)]
JsonBody = Annotated[Any, Depends(read_json)]
Wb = Annotated[Workbench, Depends(workbench)]
_DEFINITION_BODY = request_body({"$ref": "#/components/schemas/WorkflowWrite"})
_UPDATE_BODY = request_body(
    {
        "anyOf": [
            {"$ref": "#/components/schemas/WorkflowWrite"},
            {"$ref": "#/components/schemas/WorkflowEnabled"},
        ]
    }
)

router = Routes(PREFIX, tags=["workflows"])


@router.get(
    "",
    response_model=list[WorkflowSummary],
    responses=errors_for(401, 503),
    summary="List the workflows",
)
def list_workflows(wb: Wb, who: Annotated[Caller, VIEWER]) -> Response:
    rows = json.loads(wb.workflows().to_json(orient="records", date_format="iso"))
    return JSONResponse([WorkflowSummary.model_validate(r).model_dump(mode="json") for r in rows])


@router.post(
    "",
    status_code=201,
    response_model=WorkflowOut,
    responses={
        201: {"headers": location_header("The new workflow's URL.")},
        **errors_for(400, 401, 403, 409, 413, 422, 503),
    },
    openapi_extra=_DEFINITION_BODY,
    summary="Create a workflow (validated; every issue is reported)",
)
def create_workflow(wb: Wb, who: Annotated[Caller, EDITOR], body: JsonBody) -> Response:
    doc, enabled = split_enabled(body)
    report, workflow = _checked(wb, doc)
    info = _save(wb, report, None, who)
    if enabled is False:
        info = wb.workflows.disable(info.id)
    out = workflow_out(info, workflow)
    headers = {"Location": f"{PREFIX}/{info.id}"}
    return JSONResponse(out, status_code=201, headers=headers)


@router.get(
    "/{id}",
    response_model=WorkflowOut,
    responses=errors_for(401, 404, 503),
    summary="One workflow with its current definition",
)
def get_workflow(id: WorkflowRef, wb: Wb, who: Annotated[Caller, VIEWER]) -> Response:
    return JSONResponse(workflow_out(*wb.workflows.definition(id)))


@router.put(
    "/{id}",
    response_model=WorkflowOut,
    responses=errors_for(400, 401, 403, 404, 409, 413, 422, 503),
    openapi_extra=_UPDATE_BODY,
    summary="Update a workflow (a new version), or only enable/disable it",
    description=(
        "A wfbench/v1 document saves a new version when it differs from the current "
        "one; an optional `enabled` member also sets the state. A body of only "
        '`{"enabled": true|false}` enables or disables without a new version.'
    ),
)
def update_workflow(
    id: WorkflowRef, wb: Wb, who: Annotated[Caller, EDITOR], body: JsonBody
) -> Response:
    info, current = wb.workflows.definition(id)
    doc, enabled = split_enabled(body)
    toggle_only = doc == {} and enabled is not None  # the body was {"enabled": …}
    if not toggle_only:
        report, workflow = _checked(wb, doc)
        if dump_workflow(workflow) != dump_workflow(current):
            info = _save(wb, report, info.id, who)
    if enabled is not None and enabled != info.enabled:
        info = wb.workflows.enable(info.id) if enabled else wb.workflows.disable(info.id)
    return JSONResponse(workflow_out(*wb.workflows.definition(info.id)))


@router.delete(
    "/{id}",
    status_code=204,
    response_class=Response,
    responses=errors_for(401, 403, 404, 503),
    summary="Delete a workflow (its run history stays)",
)
def delete_workflow(id: WorkflowRef, wb: Wb, who: Annotated[Caller, EDITOR]) -> Response:
    wb.workflows.delete(id)
    return Response(status_code=204)


def _checked(wb: Workbench, doc: Any) -> tuple[Report, Workflow]:
    """The definition checked once, and its model; every issue answered 422 when invalid."""
    report = wb.validate(doc)
    if not report.valid or report.workflow is None:
        raise definition_problem(report.issues)
    return report, report.workflow


def _save(wb: Workbench, report: Report, workflow_id: str | None, who: Caller) -> WorkflowInfo:
    """Save a new version; a name another workflow has is refused (NameTaken: 409)."""
    return wb.save(report, workflow_id=workflow_id, saved_by=who.label, on_conflict="refuse")
