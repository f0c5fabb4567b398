"""Bad requests answered as RFC 9457 problems."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wfbench.api import MAX_BODY_BYTES
from wfbench.errors import BatchRunning

from .support import (
    API,
    Api,
    problem,
)

# --------------------------------------------------------------------------- bad requests


def test_400_for_a_body_that_is_not_json(api: Api) -> None:
    with api.client() as c:
        for path in (f"{API}/Hello/runs", API):
            for raw in (b"{not json", b'{"a": NaN}', b"\xff\xfe\x00", b"[" * 100 + b"]" * 100):
                response = c.post(path, content=raw, headers={"content-type": "application/json"})
                problem(response, 400, "malformed-json")
        surrogate = c.post(f"{API}/Hello/runs", content=b'{"name": "\\ud800"}')
        empty = c.post(API, content=b"")
    problem(surrogate, 400, "malformed-json")
    assert "empty" in problem(empty, 400, "malformed-json")["detail"]
    assert len(api.wb.runs()) == 0


def test_413_for_an_oversized_body_declared_or_streamed(api: Api) -> None:
    big = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        for i in range(0, len(big), 65536):
            yield big[i : i + 65536]

    with api.client() as c:
        declared = c.post(f"{API}/Hello/runs", content=big)
        streamed = c.post(f"{API}/Hello/runs", content=chunks())
        definition = c.post(API, content=big)
        fits = c.post(f"{API}/Hello/runs", json={"name": "x" * (MAX_BODY_BYTES - 100)})
    for response in (declared, streamed, definition):
        problem(response, 413, "body-too-large")
    assert fits.status_code == 201
    assert len(api.wb.runs()) == 1


def test_404_for_unknown_workflow_run_or_path(api: Api) -> None:
    with api.client() as c:
        problem(c.get(f"{API}/No%20such"), 404, "not-found")
        problem(c.post(f"{API}/No%20such/runs", json={}), 404, "not-found")
        problem(c.get(f"{API}/runs/run_0000"), 404, "not-found")
        problem(c.get("/api/v1/things"), 404, "not-found")
        not_allowed = c.patch(API)
    problem(not_allowed, 405, "method-not-allowed")
    assert not_allowed.headers["allow"] == "GET, POST"


def test_unexpected_errors_are_logged_and_answered_500_problem_json(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api.wb, "workflows", broken)
    with api.client("viewer") as c:
        response = c.get(API)
        after = c.get(f"{API}/runs")
    body = problem(response, 500, "internal-error")
    assert "boom" not in body["detail"]
    assert after.status_code == 200  # the server lives on
    assert any("unexpected error" in r.getMessage() for r in caplog.records)


def test_409_for_a_conflict_such_as_a_batch_id_running(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19.1: a batch id in use is a Conflict, answered 409 wherever it surfaces (the
    HTTP API starts single runs only; a start that meets one answers the same)."""

    def running(*args: object, **kwargs: object) -> None:
        raise BatchRunning("batch 'nightly' is running in process 4242; wait for it to end")

    monkeypatch.setattr(api.wb, "workflows", running)
    with api.client("viewer") as c:
        response = c.get(API)
    body = problem(response, 409, "conflict")
    assert "batch 'nightly' is running" in body["detail"]
