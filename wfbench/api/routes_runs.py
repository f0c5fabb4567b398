"""Routes on runs: list them, read one, start one (``POST …/{id}/runs``).

These paths are included before the workflow routes, so ``/api/v2/workflows/runs…``
is never taken for a workflow called "runs".
"""

import json
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query, Response
from fastapi.responses import JSONResponse

from wfbench.api.app import RUNNER, VIEWER, workbench
from wfbench.api.models import PREFIX, RunAccepted, RunOut, RunSummary, run_out, run_summaries
from wfbench.api.problems import ApiProblem, errors_for
from wfbench.api.requests import (
    EMPTY,
    Caller,
    Routes,
    location_header,
    read_json,
    request_body,
)
from wfbench.errors import IdempotencyConflict, NotFound, RunRejected, WorkflowDisabled
from wfbench.runs import RunStatus
from wfbench.workbench import RunHandle, RunRecord, Start, Workbench

_REF = "The workflow's id, or its name (URL-encoded; names ignore case)."
WorkflowRef = Annotated[str, Path(description=_REF)]
JsonBody = Annotated[Any, Depends(read_json)]
Wb = Annotated[Workbench, Depends(workbench)]
_RUN_HEADERS = {
    **location_header("The run's URL."),
    "Idempotent-Replayed": {
        "description": "true when the answer is an earlier run (an Idempotency-Key retry).",
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
}
_INPUT_BODY = request_body(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "The run's input, checked against the workflow's input schema.",
    },
    required=False,
)
_IDEMPOTENCY_KEY = Header(
    alias="Idempotency-Key",
    min_length=1,
    max_length=255,
    description="Makes the start safe to retry: the same key and input "
    "give back the same run (200); another input is refused (409).",
)

router = Routes(PREFIX, tags=["runs"])


@router.get(
    "/runs",
    response_model=list[RunSummary],
    responses=errors_for(401, 404, 422, 503),
    summary="List runs, newest first",
)
def list_runs(
    wb: Wb,
    who: Annotated[Caller, VIEWER],
    workflow_id: Annotated[str | None, Query(description=_REF, min_length=1)] = None,
    status: RunStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    skip: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    frame = wb.runs(workflow_id, status=status, limit=limit, offset=skip)
    return JSONResponse(
        run_summaries(json.loads(frame.to_json(orient="records", date_format="iso")))
    )


@router.get(
    "/runs/{run_id}",
    response_model=RunOut,
    responses=errors_for(401, 404, 503),
    summary="One run with its steps",
)
def get_run(run_id: str, wb: Wb, who: Annotated[Caller, VIEWER]) -> Response:
    try:
        return JSONResponse(run_out(wb.runs.get(run_id)))
    except NotFound:
        handle = wb.starter.running(run_id)  # started here, maybe not written yet
        if handle is None:
            raise
    if handle.done:  # it ended meanwhile: history has it all now
        return JSONResponse(run_out(wb.runs.get(run_id)))
    return JSONResponse(run_out(handle.execution.result().to_dict()))


@router.post(
    "/{id}/runs",
    status_code=201,
    response_model=RunOut,
    responses={
        200: {
            "model": RunOut,
            "description": "A retry: the run this Idempotency-Key began (nothing new).",
            "headers": _RUN_HEADERS,
        },
        201: {"description": "Started and ended within the request.", "headers": _RUN_HEADERS},
        202: {
            "model": RunAccepted,
            "description": "Started (wait=false); poll the Location.",
            "headers": location_header("The run's URL."),
        },
        **errors_for(400, 401, 403, 404, 409, 413, 422, 503),
    },
    openapi_extra=_INPUT_BODY,
    summary="Start a run; the body is the input JSON",
)
def start_run(
    id: WorkflowRef,
    wb: Wb,
    who: Annotated[Caller, RUNNER],
    body: JsonBody,
    wait: Annotated[bool, Query(description="false: answer 202 at once")] = True,
    dry_run: Annotated[bool, Query(description="simulate every side effect")] = False,
    idempotency_key: Annotated[str | None, _IDEMPOTENCY_KEY] = None,
    directory: Annotated[
        str | None, Query(description="the SCIM connector to act on (default: embedded)")
    ] = None,
    plan: Annotated[
        bool, Query(description="answer what a real run would change; change nothing")
    ] = False,
) -> Response:
    input, directory = _directory_of(wb, id, {} if body is EMPTY else body, directory)
    if plan:
        return _plan_response(wb, id, input, directory, who)
    start = Start(
        workflow=id,
        input=input,
        dry_run=dry_run,
        started_by=who.label,
        idempotency_key=idempotency_key,
        directory=directory,
    )
    try:
        started = wb.starter.start(start, wait=wait)
    except RunRejected as exc:
        raise _refused(exc) from None
    except IdempotencyConflict as exc:
        raise ApiProblem(409, "idempotency-conflict", str(exc)) from None
    result = started.run
    if isinstance(result, RunHandle):
        href = f"{PREFIX}/runs/{result.run_id}"
        accepted = {"run_id": result.run_id, "status": result.status, "href": href}
        return JSONResponse(accepted, status_code=202, headers={"Location": href})
    record = result.to_dict() if result.ended_at is None else _in_hand(wb, result)
    return _run_response(record, 200 if started.replayed else 201, started.replayed)


def _directory_of(
    wb: Workbench, id: str, input: Any, directory: str | None
) -> tuple[Any, str | None]:
    """The run's target: ``?directory=``, or a ``"directory"`` key of the body that the
    workflow's input schema does not declare (it is then taken out of the input)."""
    if not isinstance(input, dict) or "directory" not in input:
        return input, directory
    declared = (wb.get(id).trigger.input_schema or {}).get("properties") or {}
    if "directory" in declared:
        return input, directory
    given = input["directory"]
    if directory is not None and given != directory:
        raise ApiProblem(
            400,
            "bad-request",
            f"the body names directory {given!r} and the query {directory!r}; give one",
        )
    if not isinstance(given, str):
        raise ApiProblem(400, "bad-request", "directory must be a connector's name (a string)")
    return {k: v for k, v in input.items() if k != "directory"}, given


def _plan_response(
    wb: Workbench, id: str, input: Any, directory: str | None, who: Caller
) -> Response:
    """``?plan=true``: the changes a real run would make, where, and the hosts its HTTP
    steps may call; nothing is written (a dry run on a copy of the directory)."""
    try:
        made = wb.directory.plan(id, input, directory=directory, started_by=who.label)
    except RunRejected as exc:
        raise _refused(exc) from None
    return JSONResponse(made.to_dict(), status_code=200)


def _in_hand(wb: Workbench, run: RunRecord) -> dict[str, Any]:
    """The run as history has it, from the record in hand (written before ``run()``
    returned): no read-back, unless the record kept only some steps of a long run."""
    steps = sorted(run.steps, key=lambda s: s.seq)
    if steps and steps[-1].seq != len(steps):
        return wb.runs.get(run.run_id)
    record = run.to_dict(steps=False)
    record["steps"] = [s.to_dict() for s in steps]
    return record


def _run_response(record: dict[str, Any], status: int, replayed: bool) -> Response:
    headers = {
        "Location": f"{PREFIX}/runs/{record['run_id']}",
        "Idempotent-Replayed": "true" if replayed else "false",
    }
    return JSONResponse(run_out(record), status_code=status, headers=headers)


def _refused(exc: RunRejected) -> ApiProblem:
    """A refused start: 409 for a disabled workflow, 422 for an input (or a step the
    run's directory cannot do) that may not run."""
    if isinstance(exc, WorkflowDisabled):
        return _rejected(exc, 409, "workflow-disabled")
    return _rejected(exc, 422, "invalid-input")


def _rejected(exc: RunRejected, status: int, kind: str) -> ApiProblem:
    detail = str(exc).splitlines()[0]
    errors = [{"pointer": p, "message": m} for p, m in exc.problems]
    return ApiProblem(status, kind, detail, run_id=exc.run_id, errors=errors)
