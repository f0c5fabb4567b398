"""What a request brings and the small state the routes keep between requests.

Reading a JSON body within its size limit, refusing unknown query parameters, the
calling key (:class:`Caller`), the runs started in the background
(:class:`ActiveRuns`) and one lock per idempotency key (:class:`KeyedLocks`).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute

from wfbench.api.problems import ApiProblem

F = TypeVar("F", bound=Callable[..., Any])

#: Request bodies larger than this are refused with 413 before they are parsed.
MAX_BODY_BYTES = 1024 * 1024
#: JSON nested deeper than this is refused with 400 (a workflow nests at most 16 levels).
MAX_JSON_DEPTH = 64


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


@dataclass(frozen=True)
class Caller:
    """Who is calling: the API key's name and role."""

    name: str
    role: str

    @property
    def label(self) -> str:
        return f"api:{self.name}"


def request_body(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {
        "requestBody": {"required": required, "content": {"application/json": {"schema": schema}}}
    }


def location_header(description: str) -> dict[str, Any]:
    return {"Location": {"description": description, "schema": {"type": "string"}}}


class Routes:
    """Routes declared at module level (``@routes.get(path, …)``), added to each app by
    :meth:`add_to` with ``app.add_api_route``: the app's own dependencies then apply to
    them, and Starlette sees them as plain routes (which 405's ``Allow`` relies on)."""

    def __init__(self, prefix: str, *, tags: list[str]) -> None:
        self.prefix, self.tags = prefix, tags
        self._specs: list[tuple[str, str, Callable[..., Any], dict[str, Any]]] = []

    def _route(self, method: str, path: str, options: dict[str, Any]) -> Callable[[F], F]:
        def register(endpoint: F) -> F:
            self._specs.append((method, path, endpoint, options))
            return endpoint

        return register

    def get(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._route("GET", path, options)

    def post(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._route("POST", path, options)

    def put(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._route("PUT", path, options)

    def delete(self, path: str, **options: Any) -> Callable[[F], F]:
        return self._route("DELETE", path, options)

    def add_to(self, app: FastAPI) -> None:
        for method, path, endpoint, options in self._specs:
            app.add_api_route(
                self.prefix + path, endpoint, methods=[method], tags=list(self.tags), **options
            )
