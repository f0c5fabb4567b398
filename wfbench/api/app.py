"""The app: FastAPI over one workbench, with its key check, routes and OpenAPI document."""

import copy
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Security
from fastapi.openapi.utils import get_openapi
from fastapi.params import Depends as DependsParam
from fastapi.security import APIKeyHeader

from wfbench import __version__
from wfbench.api.problems import ApiProblem, install_handlers
from wfbench.api.requests import Caller, refuse_unknown_query
from wfbench.model import Workflow
from wfbench.problems import PROBLEM_JSON
from wfbench.workbench import API_KEY_ROLES, SERVE_KEEP_OPEN_S, Workbench

_RANK = {role: rank for rank, role in enumerate(API_KEY_ROLES)}

_KEY_HEADER = APIKeyHeader(
    name="x-api-key",
    auto_error=False,
    description="A key from `wfbench apikey create NAME --role viewer|runner|editor`.",
)


def create_app(wb: Workbench, *, classroom: bool = False) -> FastAPI:
    """The API over ``wb`` (one app per workbench); ``classroom`` adds the class board's
    routes (:mod:`wfbench.training.routes`)."""
    from wfbench import api
    from wfbench.api import routes_runs, routes_workflows

    doc = api.__doc__ or ""
    app = FastAPI(
        title="wfbench",
        version=__version__,
        summary="Manual workflows: definitions, runs and their history.",
        description=doc.split("**Why FastAPI", 1)[0].strip(),
        dependencies=[Depends(refuse_unknown_query)],
    )
    app.state.wb = wb
    # Requests keep the store open between them; it is let go when idle or when another
    # process is waiting in line for it (issue 10.11, 12.2).
    wb.access.keep_open(SERVE_KEEP_OPEN_S)
    install_handlers(app)
    # The run paths first, so that /runs is never taken for a workflow called "runs".
    routes_runs.router.add_to(app)
    routes_workflows.router.add_to(app)
    if classroom:
        from wfbench.training.routes import install_classroom

        install_classroom(app, wb, caller)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def workbench(request: Request) -> Workbench:
    """The workbench the app serves (a route dependency)."""
    wb: Workbench = request.app.state.wb
    return wb


def caller(need: str) -> DependsParam:
    """The key check for routes that need role ``need`` (or a wider one)."""

    def check_key(
        request: Request, key: Annotated[str | None, Security(_KEY_HEADER)]
    ) -> Iterator[Caller]:
        wb = workbench(request)
        # One store session for the key check and the request's work.
        with wb.hold():
            found = wb.access.verify_key(key) if key else None
            if found is None:
                what = "no x-api-key header" if not key else "the x-api-key is not valid"
                raise ApiProblem(
                    401,
                    "unauthorized",
                    f"{what}; send a key made with `wfbench apikey create`",
                    headers={"WWW-Authenticate": 'ApiKey header="x-api-key"'},
                )
            if _RANK[found.role] < _RANK[need]:
                raise ApiProblem(
                    403,
                    "forbidden",
                    f"the key '{found.name}' has role {found.role}; this needs {need} "
                    "or above (a key's role is set when it is made)",
                )
            yield Caller(found.name, found.role)

    dependency: DependsParam = Depends(check_key, scope="function")
    return dependency


VIEWER, RUNNER, EDITOR = caller("viewer"), caller("runner"), caller("editor")


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the definition schema and problem+json error bodies."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    wf = Workflow.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    schemas.update(wf.pop("$defs", {}))
    write = copy.deepcopy(wf)
    write["title"] = "WorkflowWrite"
    write["description"] = "A wfbench/v1 workflow document, with an optional `enabled`."
    write["properties"]["enabled"] = {"type": "boolean", "description": "Enabled (default true)."}
    schemas["WorkflowWrite"] = write
    schemas["WorkflowEnabled"] = {
        "title": "WorkflowEnabled",
        "type": "object",
        "required": ["enabled"],
        "properties": {"enabled": {"type": "boolean"}},
        "additionalProperties": False,
        "description": "Only `enabled`: enables or disables, with no new version.",
    }
    wf["title"] = "WorkflowDefinition"
    schemas["WorkflowDefinition"] = wf
    schemas["WorkflowOut"]["properties"]["definition"] = {
        "$ref": "#/components/schemas/WorkflowDefinition"
    }
    problem = {"$ref": "#/components/schemas/Problem"}
    for path in doc.get("paths", {}).values():
        for operation in path.values():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if code[0] in "45" and "application/json" in content:
                    content[PROBLEM_JSON] = {"schema": problem}
                    del content["application/json"]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    app.openapi_schema = doc
    return doc
