"""wfbench.directory.scim_http: the token read per request, 429/503 sent again within the
step's deadline, and each request's timeout cut to what the step has left.

A plain HTTP server on loopback (a thread of this process) answers as the test says."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wfbench.directory.scim_http import (
    _retry_after,
    calling,
    deadline_left,
    http_client,
    last_status,
    request_timeout,
)
from wfbench.directory.targets import ScimTarget
from wfbench.errors import ActionError


class Scripted(ThreadingHTTPServer):
    """Answers each request with the next (status, retry-after) of ``script``."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: list[tuple[int, str | None]] = []
        self.seen: list[str | None] = []


class _Handler(BaseHTTPRequestHandler):
    server: Scripted

    def do_GET(self) -> None:
        self.server.seen.append(self.headers.get("Authorization"))
        status, retry = self.server.script.pop(0) if self.server.script else (200, None)
        self.send_response(status)
        if retry is not None:
            self.send_header("Retry-After", retry)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Scripted]:
    running = Scripted()
    thread = threading.Thread(target=running.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
    thread.join(10)


def target(server: Scripted, token_env: str | None = "UNIT_SCIM_HTTP_TOKEN") -> ScimTarget:
    host, port = server.server_address[:2]
    return ScimTarget("corp", f"http://{host}:{port}/v2/", token_env, timeout_s=10)


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert _retry_after("3") == 3.0 and _retry_after(" 0 ") == 0.0
    past = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert _retry_after(past) == 0.0
    ahead = _retry_after(format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True))
    assert ahead is not None and 3500 < ahead <= 3600
    assert _retry_after(None) is None and _retry_after("soon") is None


def test_the_deadline_cuts_each_requests_timeout() -> None:
    slow = ScimTarget("corp", "http://127.0.0.1:9/v2", "T", timeout_s=30)
    assert deadline_left() is None and request_timeout(slow) == 30
    with calling(time.monotonic() + 2):
        left = deadline_left()
        assert left is not None and 0 < left <= 2
        assert request_timeout(slow) <= 2
        with calling(time.monotonic() - 1):  # past: the smallest timeout, never zero
            assert request_timeout(slow) == 0.001
        assert deadline_left() is not None  # the outer deadline is back
    assert deadline_left() is None


def test_the_token_is_read_from_its_variable_on_each_request(
    server: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIT_SCIM_HTTP_TOKEN", "first")
    with http_client(target(server)) as client:
        client.get("/Users")
        monkeypatch.setenv("UNIT_SCIM_HTTP_TOKEN", "second")
        client.get("/Users")
        monkeypatch.delenv("UNIT_SCIM_HTTP_TOKEN")
        with pytest.raises(ActionError, match="UNIT_SCIM_HTTP_TOKEN is not set"):
            client.get("/Users")
    assert server.seen == ["Bearer first", "Bearer second"]
    with (
        http_client(target(server, None)) as client,
        pytest.raises(ActionError, match="no token_env"),
    ):
        client.get("/Users")


def test_busy_answers_are_sent_again_only_within_the_deadline(
    server: Scripted, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIT_SCIM_HTTP_TOKEN", "t")
    server.script = [(503, "0"), (429, "0"), (200, None)]
    with http_client(target(server)) as client, calling(None):
        assert client.get("/Users").status_code == 200
        assert last_status() == 200 and len(server.seen) == 3
    server.script = [(429, "120")]  # longer than the step has left: the answer stands
    with http_client(target(server)) as client, calling(time.monotonic() + 5):
        assert client.get("/Users").status_code == 429
        assert last_status() == 429 and len(server.seen) == 4
    server.script = [(503, None)]  # no Retry-After: not sent again
    with http_client(target(server)) as client:
        assert client.get("/Users").status_code == 503
