"""RFC 9457 problem documents: the one way the HTTP API refuses.

:class:`ApiProblem` is raised anywhere in a request; :func:`install_handlers` turns
it, wfbench's own errors (:data:`ERROR_PROBLEMS`), FastAPI's request validation and
anything unexpected into ``application/problem+json`` answers.
"""

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wfbench import pointers
from wfbench.api.models import PREFIX
from wfbench.errors import Conflict, DefinitionError, NameTaken, NotFound, StoreBusy
from wfbench.problems import PROBLEM_JSON, problem_body
from wfbench.validation import Issue

log = logging.getLogger("wfbench.api")


class FieldProblem(BaseModel):
    """One problem with one part of a request: a body ``pointer`` or a ``parameter``."""

    pointer: str | None = None
    parameter: str | None = None
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem; extra members (``errors``, ``issues``, ``run_id``) as they apply."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None
    issues: list[dict[str, Any]] | None = None
    run_id: str | None = None


class ApiProblem(Exception):
    """Raised anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.slug, self.detail = status, slug, detail
        self.headers = headers
        self.extra = {k: v for k, v in extra.items() if v is not None}


def problem_response(
    status: int, slug: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = problem_body(status, slug, detail, **extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def install_handlers(app: FastAPI) -> None:
    async def on_problem(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiProblem)
        return problem_response(exc.status, exc.slug, exc.detail, exc.headers, **exc.extra)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        detail = str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            detail = f"no such path; the API is under {PREFIX} (see /openapi.json)"
        elif exc.status_code == 405:
            # Starlette names only the first route's methods; name every route's.
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.method} is not allowed here; use {' or '.join(allowed)}"
        return problem_response(exc.status_code, slug, detail, headers)

    async def on_invalid(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = []
        for err in exc.errors():
            where, *rest = [str(p) for p in err.get("loc", ())] or ["request"]
            name = rest[0] if rest else where
            item = {"message": str(err.get("msg", "invalid"))}
            if where == "body":
                item["pointer"] = pointers.build(rest)
            else:
                item["parameter"] = name
            errors.append(item)
        n = len(errors)
        detail = f"{n} problem(s) with the request's parameters; fix them all and retry"
        return problem_response(422, "invalid-request", detail, errors=errors)

    async def on_not_found(_: Request, exc: Exception) -> Response:
        return problem_response(404, "not-found", str(exc))

    async def on_busy(_: Request, exc: Exception) -> Response:
        return problem_response(503, "store-busy", str(exc), {"Retry-After": "1"})

    async def on_definition(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DefinitionError)
        return await on_problem(request, definition_problem(exc.issues))

    async def on_name_taken(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, NameTaken)
        return problem_response(
            409,
            "name-taken",
            f"a workflow named {exc.name!r} already exists (names ignore case); PUT to it to "
            "change it, or choose another name",
        )

    async def on_conflict(_: Request, exc: Exception) -> Response:
        # A request that contradicts what is stored or going on (a batch id running).
        return problem_response(409, "conflict", str(exc))

    app.add_exception_handler(ApiProblem, on_problem)
    app.add_exception_handler(Conflict, on_conflict)
    app.add_exception_handler(NameTaken, on_name_taken)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(NotFound, on_not_found)
    app.add_exception_handler(StoreBusy, on_busy)
    app.add_exception_handler(DefinitionError, on_definition)
    app.add_middleware(_CatchAll)


class _CatchAll:
    """Answer anything unexpected with a 500 problem (logged), so no caller sees a bare error.

    A middleware rather than an ``Exception`` handler: Starlette re-raises after such a
    handler, and the server then drops the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
            if started or scope["type"] != "http":
                raise
            detail = "an unexpected error; it was logged on the server. Retry, or report it"
            await problem_response(500, "internal-error", detail)(scope, receive, send)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


def definition_problem(issues: Sequence[Issue]) -> ApiProblem:
    """422 with every issue (``issues``, as ``wfbench validate --json``) and the errors'
    pointers and messages (``errors``, as for a run's input)."""
    errors = [i for i in issues if i.severity == "error"]
    detail = f"the workflow has {len(errors)} error(s); fix them all and send it again"
    return ApiProblem(
        422,
        "invalid-definition",
        detail,
        errors=[{"pointer": i.pointer, "message": i.message} for i in errors],
        issues=[i.to_dict() for i in issues],
    )


def errors_for(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "description": HTTPStatus(code).phrase} for code in codes}
