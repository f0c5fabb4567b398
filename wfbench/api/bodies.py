"""A request's whole body, read before anything else looks at the request.

A route asks for the store (its key check holds it for the request) only once the body
is in: a client that sends half a body, or sends it slowly, holds a connection of the
server and nothing more. The body is bounded in size (:data:`MAX_BODY_BYTES`, 413 —
declared lengths over it are refused unread) and in time (``$WFBENCH_BODY_TIMEOUT``
seconds, 30 by default, 408); the routes then read it from memory.
"""

import asyncio
import math
import os
from typing import Final

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from wfbench.api.requests import MAX_BODY_BYTES
from wfbench.errors import BadArgument
from wfbench.problems import PROBLEM_JSON, problem_body, replay_body

__all__ = ["BODY_TIMEOUT_ENV", "DEFAULT_BODY_TIMEOUT_S", "BodyFirst", "body_timeout_from_env"]

BODY_TIMEOUT_ENV: Final = "WFBENCH_BODY_TIMEOUT"
#: How long a client may take to send a request's body, by default.
DEFAULT_BODY_TIMEOUT_S: Final = 30.0


def body_timeout_from_env() -> float:
    """``$WFBENCH_BODY_TIMEOUT`` (seconds, > 0), or :data:`DEFAULT_BODY_TIMEOUT_S`."""
    raw = os.environ.get(BODY_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_BODY_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise BadArgument(
            f"${BODY_TIMEOUT_ENV} must be a number of seconds above 0, not {raw!r}; fix or unset it"
        )
    return value


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    pass


class BodyFirst:
    """ASGI middleware: read the whole body (bounded) before the app sees the request."""

    def __init__(self, app: ASGIApp, *, timeout: float = DEFAULT_BODY_TIMEOUT_S) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        try:
            body = await asyncio.wait_for(_read(scope, receive), self.timeout)
        except TimeoutError:
            detail = (
                f"the body did not arrive within {self.timeout:g} s; send the whole "
                f"request at once (${BODY_TIMEOUT_ENV} sets the bound)"
            )
            await _problem(408, "request-timeout", detail, scope, receive, send)
            return
        except _TooLarge:
            detail = f"the body is larger than {MAX_BODY_BYTES} bytes; send less"
            await _problem(413, "body-too-large", detail, scope, receive, send)
            return
        except _Gone:  # the client went away mid-body: nobody to answer
            return
        await self.app(scope, replay_body(body, receive), send)


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers") or ():
        if name == b"transfer-encoding":
            return True
        if name == b"content-length":
            return bool(value.strip() != b"0")
    return False


async def _read(scope: Scope, receive: Receive) -> bytes:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            if text.isdigit() and int(text) > MAX_BODY_BYTES:
                raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _problem(
    status: int, slug: str, detail: str, scope: Scope, receive: Receive, send: Send
) -> None:
    # The connection is closed after the answer: the rest of the body is not read.
    response = JSONResponse(
        problem_body(status, slug, detail),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)
