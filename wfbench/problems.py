"""RFC 9457 problem documents: the one body every HTTP refusal has (the API's own and
the class board's), whatever serves it."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

__all__ = ["PROBLEM_BASE", "PROBLEM_JSON", "problem_body"]

PROBLEM_BASE = "https://wfbench.dev/problems/"
PROBLEM_JSON = "application/problem+json"


def problem_body(status: int, slug: str, detail: str, **extra: Any) -> dict[str, Any]:
    """``{"type", "title", "status", "detail", **extra}`` for a refusal with ``status``."""
    return {
        "type": PROBLEM_BASE + slug,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }


def replay_body(body: bytes, then: Any) -> Any:
    """An ASGI ``receive`` that gives the request body read already, then whatever the
    connection says next (a disconnect): for the server's and the class board's gates, which
    read a body whole (and bounded) before the route does."""
    sent = False

    async def receive() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then()

    return receive
