"""The HTTP API's routes (see :mod:`wfbench.api` for the whole picture).

Order matters: ``/api/v2/workflows/runs…`` is added before ``/api/v2/workflows/{id}``
so that the run paths are never taken for a workflow called "runs".
"""

import json
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Annotated, Any, Literal, get_args

from fastapi import Depends, FastAPI, Header, Path, Query, Response
from fastapi.responses import JSONResponse

from wfbench.api_support import (
    EMPTY,
    PREFIX,
    ActiveRuns,
    ApiProblem,
    Caller,
    KeyedLocks,
    RunAccepted,
    RunOut,
    RunSummary,
    WorkflowOut,
    WorkflowSummary,
    definition_problem,
    errors_for,
    location_header,
    read_json,
    request_body,
    run_out,
    split_enabled,
    workflow_out,
)
from wfbench.engine import RunHandle, RunRecord, apply_defaults
from wfbench.errors import NotFound, RunRejected, WfbenchError
from wfbench.model import Workflow, dump_workflow
from wfbench.store import RUN_STATUSES, Store, WorkflowInfo
from wfbench.validation import validate
from wfbench.workbench import IdempotencyConflict, Workbench

RunStatus = Literal[
    "queued", "running", "succeeded", "failed", "cancelled", "rejected", "interrupted"
]
assert set(get_args(RunStatus)) == set(RUN_STATUSES)

_REF = "The workflow's id, or its name (URL-encoded; names ignore case)."
WorkflowRef = Annotated[str, Path(description=_REF)]
JsonBody = Annotated[Any, Depends(read_json)]
_DEFINITION_BODY = request_body({"$ref": "#/components/schemas/WorkflowWrite"})
_UPDATE_BODY = request_body(
    {
        "anyOf": [
            {"$ref": "#/components/schemas/WorkflowWrite"},
            {"$ref": "#/components/schemas/WorkflowEnabled"},
        ]
    }
)
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


def add_routes(app: FastAPI, wb: Workbench, caller: Callable[[str], Any]) -> None:
    """Add every route to ``app``; ``caller(role)`` is the key check for that role."""
    store = wb.store
    viewer, runner, editor = caller("viewer"), caller("runner"), caller("editor")
    idempotency = KeyedLocks()
    active = ActiveRuns()

    # ------------------------------------------------------------------ runs

    @app.get(
        f"{PREFIX}/runs",
        response_model=list[RunSummary],
        responses=errors_for(401, 404, 422, 503),
        summary="List runs, newest first",
        tags=["runs"],
    )
    def list_runs(
        who: Annotated[Caller, viewer],
        workflow_id: Annotated[str | None, Query(description=_REF, min_length=1)] = None,
        status: RunStatus | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        skip: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> Response:
        frame = store.runs(workflow=workflow_id, status=status, limit=limit, offset=skip)
        rows = json.loads(frame.to_json(orient="records", date_format="iso"))
        runs = [RunSummary.model_validate(r).model_dump(mode="json") for r in rows]
        return JSONResponse(runs)

    @app.get(
        f"{PREFIX}/runs/{{run_id}}",
        response_model=RunOut,
        responses=errors_for(401, 404, 503),
        summary="One run with its steps",
        tags=["runs"],
    )
    def get_run(run_id: str, who: Annotated[Caller, viewer]) -> Response:
        try:
            return JSONResponse(run_out(store.get_run(run_id)))
        except NotFound:
            handle = active.get(run_id)  # started here, maybe not written yet
            if handle is None:
                raise
        if handle.done:  # it ended meanwhile: history has it all now
            return JSONResponse(run_out(store.get_run(run_id)))
        return JSONResponse(run_out(handle.execution.record.to_dict()))

    # ------------------------------------------------------------------ definitions

    @app.get(
        PREFIX,
        response_model=list[WorkflowSummary],
        responses=errors_for(401, 503),
        summary="List the workflows",
        tags=["workflows"],
    )
    def list_workflows(who: Annotated[Caller, viewer]) -> Response:
        frame = store.list_workflows()
        rows = json.loads(frame.to_json(orient="records", date_format="iso"))
        return JSONResponse(
            [WorkflowSummary.model_validate(r).model_dump(mode="json") for r in rows]
        )

    @app.post(
        PREFIX,
        status_code=201,
        response_model=WorkflowOut,
        responses={
            201: {"headers": location_header("The new workflow's URL.")},
            **errors_for(400, 401, 403, 409, 413, 422, 503),
        },
        openapi_extra=_DEFINITION_BODY,
        summary="Create a workflow (validated; every issue is reported)",
        tags=["workflows"],
    )
    def create_workflow(who: Annotated[Caller, editor], body: JsonBody) -> Response:
        doc, enabled = split_enabled(body)
        workflow = _checked(wb, doc)
        info = _save(wb, workflow, None, who)
        if enabled is False:
            info = store.set_enabled(info.id, False)
        out = workflow_out(info, workflow)
        headers = {"Location": f"{PREFIX}/{info.id}"}
        return JSONResponse(out, status_code=201, headers=headers)

    @app.get(
        f"{PREFIX}/{{id}}",
        response_model=WorkflowOut,
        responses=errors_for(401, 404, 503),
        summary="One workflow with its current definition",
        tags=["workflows"],
    )
    def get_workflow(id: WorkflowRef, who: Annotated[Caller, viewer]) -> Response:
        info, workflow = store.get_definition(id)
        return JSONResponse(workflow_out(info, workflow))

    @app.put(
        f"{PREFIX}/{{id}}",
        response_model=WorkflowOut,
        responses=errors_for(400, 401, 403, 404, 409, 413, 422, 503),
        openapi_extra=_UPDATE_BODY,
        summary="Update a workflow (a new version), or only enable/disable it",
        description=(
            "A wfbench/v1 document saves a new version when it differs from the current "
            "one; an optional `enabled` member also sets the state. A body of only "
            '`{"enabled": true|false}` enables or disables without a new version.'
        ),
        tags=["workflows"],
    )
    def update_workflow(
        id: WorkflowRef,
        who: Annotated[Caller, editor],
        body: JsonBody,
    ) -> Response:
        info = store.get_workflow(id)
        doc, enabled = split_enabled(body)
        toggle_only = doc == {} and enabled is not None  # the body was {"enabled": …}
        if not toggle_only:
            workflow = _checked(wb, doc)
            current = store.get_definition(info.id)[1]
            if dump_workflow(workflow) != dump_workflow(current):
                info = _save(wb, workflow, info.id, who)
        if enabled is not None and enabled != info.enabled:
            info = store.set_enabled(info.id, enabled)
        return JSONResponse(workflow_out(*store.get_definition(info.id)))

    @app.delete(
        f"{PREFIX}/{{id}}",
        status_code=204,
        response_class=Response,
        responses=errors_for(401, 403, 404, 503),
        summary="Delete a workflow (its run history stays)",
        tags=["workflows"],
    )
    def delete_workflow(id: WorkflowRef, who: Annotated[Caller, editor]) -> Response:
        store.delete_workflow(id)
        return Response(status_code=204)

    # ------------------------------------------------------------------ starting runs

    @app.post(
        f"{PREFIX}/{{id}}/runs",
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
        tags=["runs"],
    )
    def start_run(
        id: WorkflowRef,
        who: Annotated[Caller, runner],
        body: JsonBody,
        wait: Annotated[bool, Query(description="false: answer 202 at once")] = True,
        dry_run: Annotated[bool, Query(description="simulate every side effect")] = False,
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                min_length=1,
                max_length=255,
                description="Makes the start safe to retry: the same key and input "
                "give back the same run (200); another input is refused (409).",
            ),
        ] = None,
    ) -> Response:
        input = {} if body is EMPTY else body
        info = store.get_workflow(id)
        key = (info.id, idempotency_key) if idempotency_key else None
        guard: AbstractContextManager[None] = idempotency.hold(key) if key else nullcontext()
        with guard:
            running = active.by_key(key) if key else None
            if running is not None:  # a retry while the first call's run goes on
                _same_input(store, info.id, running.execution.record, input)
                return _run_response(running.execution.record.to_dict(), 200, replayed=True)
            replay = key is not None and store.find_run_by_idempotency_key(*key) is not None
            options: dict[str, Any] = {
                "dry_run": dry_run,
                "started_by": who.label,
                "idempotency_key": idempotency_key,
            }
            try:
                if wait:
                    result: RunRecord | RunHandle = wb.run(info.id, input, **options)
                else:
                    result = wb.run(info.id, input, wait=False, **options)
            except RunRejected as exc:
                raise _rejected(exc, disabled=not info.enabled) from None
            except IdempotencyConflict as exc:
                raise ApiProblem(409, "idempotency-conflict", str(exc)) from None
            if isinstance(result, RunHandle):
                active.add(result, key)
        if isinstance(result, RunHandle):
            href = f"{PREFIX}/runs/{result.run_id}"
            accepted = {"run_id": result.run_id, "status": result.status, "href": href}
            return JSONResponse(accepted, status_code=202, headers={"Location": href})
        return _run_response(store.get_run(result.run_id), 200 if replay else 201, replay)


def _run_response(record: dict[str, Any], status: int, replayed: bool) -> Response:
    headers = {
        "Location": f"{PREFIX}/runs/{record['run_id']}",
        "Idempotent-Replayed": "true" if replayed else "false",
    }
    return JSONResponse(run_out(record), status_code=status, headers=headers)


def _same_input(store: Store, workflow_id: str, first: RunRecord, given: Any) -> None:
    """Refuse (409) a retry whose input differs from the first call's (defaults aside)."""
    if first.input == given:
        return
    schema = store.get_definition(workflow_id, first.version)[1].trigger.input_schema
    if first.input != apply_defaults(schema, given):
        raise ApiProblem(
            409,
            "idempotency-conflict",
            "this Idempotency-Key was used for a run with a different input (still "
            "running); use a new key",
        )


def _checked(wb: Workbench, doc: Any) -> Workflow:
    report = validate(doc, actions=wb.catalogue, roles=wb.role_registry)
    if not report.valid or report.workflow is None:
        raise definition_problem(report.issues)
    return report.workflow


def _save(wb: Workbench, workflow: Workflow, workflow_id: str | None, who: Caller) -> WorkflowInfo:
    """Save a new version; a name another workflow has is refused with 409."""
    other = wb.store.find_workflow(workflow.name)
    if other is not None and other.id != workflow_id:
        raise _name_taken(workflow.name)
    try:
        return wb.store.save_definition(workflow, workflow_id=workflow_id, saved_by=who.label)
    except NotFound:
        raise
    except WfbenchError:  # the only other refusal: the name was taken in the meantime
        raise _name_taken(workflow.name) from None


def _name_taken(name: str) -> ApiProblem:
    return ApiProblem(
        409,
        "name-taken",
        f"a workflow named {name!r} already exists (names ignore case); PUT to it to "
        "change it, or choose another name",
    )


def _rejected(exc: RunRejected, *, disabled: bool) -> ApiProblem:
    detail = str(exc).splitlines()[0]
    errors = [{"pointer": p, "message": m} for p, m in exc.problems]
    if disabled:
        return ApiProblem(409, "workflow-disabled", detail, run_id=exc.run_id, errors=errors)
    return ApiProblem(422, "invalid-input", detail, run_id=exc.run_id, errors=errors)
