"""The network under a SCIM directory: one ``httpx2`` client per connector, with the
failure model of PRODUCT.md §3 ("Writes over a network").

* **The token** is read from its environment variable on every request (an
  :class:`httpx2.Auth`), never kept on an object, and never put in a message: errors
  name the connector and the variable, not the value.
* **429 and 503** are sent again after their ``Retry-After`` (seconds or an HTTP
  date) when the wait ends before the step's deadline; otherwise the answer stands.
  Such an answer says the server did not act, so sending again is safe for a write.
* **An unknown outcome** (the request left, no answer came: a read timeout, a reset
  or closed connection) is :class:`~wfbench.errors.EffectUncertain` for a write,
  never sent again, and an ordinary failure for a read. A request that never left
  (connection refused, connect timeout) is an ordinary failure.

:func:`calling` sets, for the calling thread, the step's deadline that the retry and
the per-request timeout respect.
"""

from __future__ import annotations

import email.utils
import os
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx2

from wfbench.directory.targets import ScimTarget
from wfbench.errors import ActionError

__all__ = [
    "RETRIED_STATUSES",
    "calling",
    "deadline_left",
    "http_client",
    "last_status",
    "request_timeout",
]

#: Answers that say "not now": sent again after ``Retry-After`` within the deadline.
RETRIED_STATUSES = frozenset({429, 503})
#: The longest ``Retry-After`` honoured without a step deadline (seconds).
MAX_RETRY_AFTER_S = 60.0

_local = threading.local()


def deadline_left() -> float | None:
    """Seconds before the calling thread's step deadline (``None``: none set)."""
    deadline: float | None = getattr(_local, "deadline", None)
    return None if deadline is None else deadline - time.monotonic()


@contextmanager
def calling(deadline: float | None) -> Iterator[None]:
    """Requests made by this thread inside the block respect *deadline* (monotonic)."""
    before = getattr(_local, "deadline", None)
    _local.deadline = deadline
    _local.status = None
    try:
        yield
    finally:
        _local.deadline = before


def last_status() -> int | None:
    """The status of the last answer this thread received (``None``: none yet)."""
    status: int | None = getattr(_local, "status", None)
    return status


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


class _BearerFromEnv(httpx2.Auth):
    """``Authorization: Bearer …`` from the environment variable, read per request."""

    def __init__(self, target: ScimTarget) -> None:
        self._name = target.name
        self._variable = target.token_env

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response]:
        if not self._variable:
            raise ActionError(
                f"SCIM connector {self._name!r} sets no token_env; name the environment "
                "variable that holds its bearer token"
            )
        token = os.environ.get(self._variable)
        if not token:
            raise ActionError(
                f"the environment variable {self._variable} is not set; SCIM connector "
                f"{self._name!r} reads its bearer token from it"
            )
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


class _PatientTransport(httpx2.HTTPTransport):
    """Sends again after a 429/503 whose ``Retry-After`` ends before the step deadline."""

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        while True:
            response = super().handle_request(request)
            _local.status = response.status_code
            if response.status_code not in RETRIED_STATUSES:
                return response
            wait = _retry_after(response.headers.get("retry-after"))
            left = deadline_left()
            limit = MAX_RETRY_AFTER_S if left is None else left - 0.05
            if wait is None or wait > limit:
                return response
            response.read()
            response.close()
            time.sleep(wait)


def http_client(target: ScimTarget) -> httpx2.Client:
    """A client for *target*: its base URL, the bearer token from the environment, the
    patient transport; redirects are not followed (a SCIM service answers in place)."""
    return httpx2.Client(
        base_url=target.base_url.rstrip("/"),
        auth=_BearerFromEnv(target),
        transport=_PatientTransport(),
        timeout=target.timeout_s,
        follow_redirects=False,
    )


def request_timeout(target: ScimTarget) -> float:
    """The timeout of one request: the connector's, cut to what the step has left."""
    left = deadline_left()
    if left is None:
        return target.timeout_s
    return max(min(target.timeout_s, left), 0.001)
