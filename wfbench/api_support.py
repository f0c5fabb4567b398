"""What the HTTP API's app (:mod:`wfbench.api`) and routes (:mod:`wfbench.api_routes`) share.

Response models, RFC 9457 problem documents and their handlers, reading a JSON
body within its size limit, and the small pieces of request state.
"""

import json
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wfbench.cli import run_document
from wfbench.engine import RunHandle
from wfbench.errors import DefinitionError, NotFound, StoreBusy
from wfbench.model import Workflow, to_document
from wfbench.store import WorkflowInfo
from wfbench.validation import Issue

log = logging.getLogger("wfbench.api")

#: Request bodies larger than this are refused with 413 before they are parsed.
MAX_BODY_BYTES = 1024 * 1024
#: JSON nested deeper than this is refused with 400 (a workflow nests at most 16 levels).
MAX_JSON_DEPTH = 64

PREFIX = "/api/v2/workflows"
PROBLEM_BASE = "https://wfbench.dev/problems/"
PROBLEM_JSON = "application/problem+json"


# --------------------------------------------------------------------------- models


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


class StepOut(BaseModel):
    seq: int
    node: str | None
    path: str | None
    kind: str | None
    action: str | None
    iteration: int | None
    status: str
    attempts: int | None
    params: Any
    output: Any
    error: str | None
    change: str | None
    duration_ms: float | None


class RunSummary(BaseModel):
    run_id: str
    workflow: str | None
    version: int | None
    status: str
    input: Any
    output: Any
    error: str | None
    reasons: list[dict[str, Any]] | None
    run_as: str | None
    started_by: str | None
    dry_run: bool
    idempotency_key: str | None
    rerun_of: str | None
    started_at: datetime | None
    ended_at: datetime | None
    duration_ms: float | None


class RunOut(RunSummary):
    """A run with its steps: the shape ``wfbench show --json`` prints."""

    steps: list[StepOut]


class RunAccepted(BaseModel):
    run_id: str
    status: str
    href: str


# --------------------------------------------------------------------------- problems


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
    body = {
        "type": PROBLEM_BASE + slug,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
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
                item["pointer"] = "".join(f"/{p}" for p in rest)
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

    app.add_exception_handler(ApiProblem, on_problem)
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


# --------------------------------------------------------------------------- query strings


async def refuse_unknown_query(request: Request) -> None:
    """422 for a query parameter the route does not take (``?wiat=false`` is a typo)."""
    route = request.scope.get("route")
    known = _query_names(route.dependant) if isinstance(route, APIRoute) else set()
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        hint = f"known: {', '.join(sorted(known))}" if known else "it takes none"
        raise ApiProblem(
            422,
            "invalid-request",
            f"unknown query parameter(s) {', '.join(unknown)}; {hint}",
            errors=[{"parameter": name, "message": "unknown query parameter"} for name in unknown],
        )


def _query_names(dependant: Any) -> set[str]:
    names = {str(field.alias) for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


# --------------------------------------------------------------------------- request bodies


class _Empty:
    """The body was empty."""


EMPTY = _Empty()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def read_json(request: Request) -> Any:
    """The request's JSON body, refused with 413 past :data:`MAX_BODY_BYTES` before parsing."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return EMPTY
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise _bad_json(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:  # bad encoding, NaN, huge numbers, deep nesting
        raise _bad_json(str(exc) or type(exc).__name__) from None
    _check_tree(value)
    return value


def _check_tree(value: Any) -> None:
    """Refuse nesting past :data:`MAX_JSON_DEPTH` and text that is not valid Unicode."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _bad_json(f"nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, dict):
            for key, sub in item.items():
                _check_text(key)
                stack.append((sub, depth + 1))
        elif isinstance(item, list):
            stack.extend((sub, depth + 1) for sub in item)
        elif isinstance(item, str):
            _check_text(item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _bad_json("a string holds an unpaired surrogate (\\ud800-\\udfff)") from None


def _bad_json(why: str) -> ApiProblem:
    return ApiProblem(400, "malformed-json", f"the body is not acceptable JSON: {why}")


def _too_large() -> ApiProblem:
    return ApiProblem(
        413, "body-too-large", f"the body is larger than {MAX_BODY_BYTES} bytes; send less"
    )


def split_enabled(body: Any) -> tuple[Any, bool | None]:
    """A definition body without its optional ``enabled`` member, and that member."""
    if body is EMPTY:
        raise ApiProblem(400, "malformed-json", "the body is empty; send the workflow's JSON")
    if not isinstance(body, dict) or "enabled" not in body:
        return body, None
    enabled = body["enabled"]
    if not isinstance(enabled, bool):
        raise ApiProblem(
            422,
            "invalid-definition",
            "'enabled' must be true or false",
            errors=[{"pointer": "/enabled", "message": "must be true or false"}],
        )
    return {k: v for k, v in body.items() if k != "enabled"}, enabled


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Caller:
    """Who is calling: the API key's name and role."""

    name: str
    role: str

    @property
    def label(self) -> str:
        return f"api:{self.name}"


class ActiveRuns:
    """Runs this app started in the background (``wait=false``) that have not ended.

    History may write a run's row only at its first commit, so until a background run
    ends, its ``Location`` and a retry with its ``Idempotency-Key`` are answered from here.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, tuple[RunHandle, tuple[str, str] | None]] = {}

    def add(self, handle: RunHandle, key: tuple[str, str] | None) -> None:
        with self._lock:
            for run_id, (other, _) in list(self._runs.items()):
                if other.done:
                    del self._runs[run_id]
            self._runs[handle.run_id] = (handle, key)

    def get(self, run_id: str) -> RunHandle | None:
        with self._lock:
            found = self._runs.get(run_id)
        return None if found is None else found[0]

    def by_key(self, key: tuple[str, str]) -> RunHandle | None:
        with self._lock:
            for handle, held in self._runs.values():
                if held == key and not handle.done:
                    return handle
        return None


class KeyedLocks:
    """One lock per key, kept only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[tuple[str, str], tuple[threading.Lock, list[int]]] = {}

    @contextmanager
    def hold(self, key: tuple[str, str]) -> Iterator[None]:
        with self._lock:
            lock, users = self._locks.setdefault(key, (threading.Lock(), [0]))
            users[0] += 1
        try:
            with lock:
                yield
        finally:
            with self._lock:
                users[0] -= 1
                if not users[0]:
                    del self._locks[key]


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


def errors_for(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "description": HTTPStatus(code).phrase} for code in codes}


def request_body(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {
        "requestBody": {"required": required, "content": {"application/json": {"schema": schema}}}
    }


def location_header(description: str) -> dict[str, Any]:
    return {"Location": {"description": description, "schema": {"type": "string"}}}
