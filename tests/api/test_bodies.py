"""wfbench.api.bodies: the whole body is read (bounded in size and time) before the app
sees the request. Driven at the ASGI level, without a server: each test plays the client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from wfbench.api.bodies import BODY_TIMEOUT_ENV, BodyFirst, body_timeout_from_env
from wfbench.api.requests import MAX_BODY_BYTES
from wfbench.errors import BadArgument

Message = dict[str, Any]


class App:
    """The app behind the gate: notes the body it reads, answers 204."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("headers"):
            body, more = b"", True
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
            self.bodies.append(body)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def request(
    app: App, messages: list[Message], headers: list[tuple[bytes, bytes]], timeout: float = 5
) -> list[Message]:
    """Send ``messages`` through the gate (then wait forever); what the client receives."""
    sent: list[Message] = []
    scope = {"type": "http", "method": "POST", "path": "/api/v2/workflows", "headers": headers}

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # a client that sends nothing more
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    gate = BodyFirst(app, timeout=timeout)
    asyncio.run(asyncio.wait_for(gate(scope, receive, send), 10))  # a hang fails, bounded
    return sent


def answer(sent: list[Message]) -> tuple[int, dict[str, Any]]:
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    return start["status"], json.loads(body)


def test_the_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BODY_TIMEOUT_ENV, raising=False)
    assert body_timeout_from_env() == 30.0
    monkeypatch.setenv(BODY_TIMEOUT_ENV, " 2.5 ")
    assert body_timeout_from_env() == 2.5
    for bad in ("0", "-1", "soon", "inf", "nan"):
        monkeypatch.setenv(BODY_TIMEOUT_ENV, bad)
        with pytest.raises(BadArgument, match=f"not {bad!r}; fix or unset it"):
            body_timeout_from_env()


def test_a_body_sent_in_pieces_reaches_the_app_whole() -> None:
    app = App()
    sent = request(
        app,
        [
            {"type": "http.request", "body": b'{"na', "more_body": True},
            {"type": "http.request", "body": b'me": 1}', "more_body": False},
        ],
        [(b"transfer-encoding", b"chunked")],
    )
    assert app.bodies == [b'{"name": 1}'] and sent[0]["status"] == 204


def test_no_body_goes_straight_through() -> None:
    app = App()
    empty = [{"type": "http.request", "body": b"", "more_body": False}]
    assert request(app, empty, [(b"content-length", b"0")])[0]["status"] == 204
    assert app.bodies == [b""]  # the app read the (empty) request itself


def test_too_large_is_413_declared_or_sent() -> None:
    app = App()
    declared = request(app, [], [(b"content-length", str(MAX_BODY_BYTES + 1).encode())])
    status, problem = answer(declared)
    assert status == problem["status"] == 413
    assert problem["detail"] == f"the body is larger than {MAX_BODY_BYTES} bytes; send less"
    chunk = b"x" * (MAX_BODY_BYTES // 2 + 1)
    streamed = request(
        app,
        [{"type": "http.request", "body": chunk, "more_body": True}] * 2,
        [(b"transfer-encoding", b"chunked")],
    )
    assert answer(streamed)[0] == 413 and app.bodies == []  # the app never saw either


def test_a_body_that_does_not_arrive_is_408_and_a_client_gone_gets_nothing() -> None:
    app = App()
    slow = request(
        app,
        [{"type": "http.request", "body": b"{", "more_body": True}],
        [(b"transfer-encoding", b"chunked")],
        timeout=0.05,
    )
    status, problem = answer(slow)
    assert status == 408 and problem["detail"].startswith("the body did not arrive within 0.05 s")
    gone = request(
        app,
        [{"type": "http.request", "body": b"{", "more_body": True}, {"type": "http.disconnect"}],
        [(b"transfer-encoding", b"chunked")],
    )
    assert gone == [] and app.bodies == []
