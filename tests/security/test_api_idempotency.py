"""Issue 10.12: an ``Idempotency-Key`` never replays a run of another kind (dry or real),
and expression objects keep a ``null`` key as JSON would (not the text "None")."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api, set_step, workflow

RUNS = "/api/v2/workflows/Echo/runs"


@pytest.fixture
def echo(api: Api) -> Api:
    doc = workflow(
        [set_step("{{ input.email }}"), set_step("{{ {null: 1, 'k': input.email} }}", "obj")],
        schema={"type": "object", "properties": {"email": {"type": "string"}}},
        name="Echo",
    )
    created = api.call("POST", "/api/v2/workflows", json=doc)
    assert created.status_code == 201, created.text
    return api


def _start(api: Api, key: str | None, body: Any, **params: str) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return api.call("POST", RUNS, "runner", json=body, headers=headers, params=params)


@pytest.mark.xfail(
    strict=True, reason="issue 10.12: a dry-run retry with the key of a real run replays it"
)
def test_dry_run_retry_of_a_real_run_is_refused(echo: Api) -> None:
    first = _start(echo, "k-1", {"email": "a@example.com"})
    assert first.status_code == 201, first.text
    retry = _start(echo, "k-1", {"email": "a@example.com"}, dry_run="true")
    assert retry.status_code == 409, retry.text


@pytest.mark.xfail(
    strict=True,
    reason="NEW (10.12 class): a real-run retry with the key of a dry run replays the dry run "
    "(200), so the caller believes the real run happened",
)
def test_real_run_retry_of_a_dry_run_is_refused(echo: Api) -> None:
    first = _start(echo, "k-2", {"email": "a@example.com"}, dry_run="true")
    assert first.status_code == 201, first.text
    retry = _start(echo, "k-2", {"email": "a@example.com"})
    assert retry.status_code == 409, retry.text


@pytest.mark.xfail(
    strict=True, reason="issue 10.12: a dry-run retry of a wait=false real run replays it"
)
def test_dry_run_retry_of_a_background_run_is_refused(echo: Api) -> None:
    first = _start(echo, "k-3", {"email": "a@example.com"}, wait="false")
    assert first.status_code == 202, first.text
    retry = _start(echo, "k-3", {"email": "a@example.com"}, dry_run="true")
    assert retry.status_code == 409, retry.text


def test_same_key_same_input_replays(echo: Api) -> None:
    first = _start(echo, "k-4", {"email": "a@example.com"})
    retry = _start(echo, "k-4", {"email": "a@example.com"})
    assert first.status_code == 201 and retry.status_code == 200, (first.text, retry.text)
    assert first.json()["run_id"] == retry.json()["run_id"]


def test_same_key_other_input_is_refused(echo: Api) -> None:
    assert _start(echo, "k-5", {"email": "a@example.com"}).status_code == 201
    assert _start(echo, "k-5", {"email": "b@example.com"}).status_code == 409


@pytest.mark.xfail(strict=True, reason="issue 10.12: a null object key is stored as 'None'")
def test_null_key_in_an_expression_object(echo: Api) -> None:
    run = _start(echo, None, {"email": "a@example.com"}).json()
    step = next(s for s in run["steps"] if s["node"] == "obj")
    assert "None" not in step["output"]["value"], step
