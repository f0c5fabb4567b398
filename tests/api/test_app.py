"""wfbench.api.app: one app per workbench: its key check by role, its OpenAPI document,
and the class board's routes only when asked. In process (FastAPI's TestClient)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from wfbench.api import create_app
from wfbench.workbench import Workbench

from .support import API, HELLO


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Workbench, dict[str, str], TestClient]]:
    """One app for the module's tests (each reads what it needs; the one run a test starts
    changes nothing another reads)."""
    wb = Workbench(":memory:")
    wb.save(HELLO)
    keys = {role: wb.access.create_key(role, role) for role in ("viewer", "runner")}
    with TestClient(create_app(wb)) as client:
        yield wb, keys, client


def test_keys_are_checked_by_role(served: tuple[Workbench, dict[str, str], Any]) -> None:
    wb, keys, client = served
    missing = client.get(API)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'ApiKey header="x-api-key"'
    assert missing.headers["content-type"] == "application/problem+json"
    assert "no x-api-key header" in missing.json()["detail"]
    assert "is not valid" in client.get(API, headers={"x-api-key": "wfb_x"}).json()["detail"]
    viewer = {"x-api-key": keys["viewer"]}
    assert [w["name"] for w in client.get(API, headers=viewer).json()] == ["Hello"]
    refused = client.post(f"{API}/Hello/runs", json={"name": "Ada"}, headers=viewer)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith(
        "the key 'viewer' has role viewer; this needs runner"
    )
    runner = {"x-api-key": keys["runner"]}
    assert client.post(f"{API}/Hello/runs", json={"name": "Ada"}, headers=runner).status_code == 201
    used = {k.name: k.last_used_at for k in wb.access.list_keys()}
    assert used["viewer"] is not None and used["runner"] is not None


def test_unknown_query_parameters_are_refused(
    served: tuple[Workbench, dict[str, str], Any],
) -> None:
    _, keys, client = served
    answer = client.get(f"{API}?wiat=false", headers={"x-api-key": keys["viewer"]})
    assert answer.status_code == 422
    assert answer.json()["detail"] == "unknown query parameter(s) wiat; it takes none"
    runs = client.get(f"{API}/runs?limt=1", headers={"x-api-key": keys["viewer"]})
    assert runs.status_code == 422 and "known: limit, skip, status" in runs.json()["detail"]


def test_the_openapi_document_speaks_problem_json_and_names_the_definition(
    served: tuple[Workbench, dict[str, str], Any],
) -> None:
    _, _, client = served
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert {"WorkflowWrite", "WorkflowEnabled", "WorkflowDefinition", "Problem"} <= set(schemas)
    assert "enabled" in schemas["WorkflowWrite"]["properties"]
    assert "HTTPValidationError" not in schemas
    errors = [
        content
        for path in doc["paths"].values()
        for operation in path.values()
        for code, response in operation.get("responses", {}).items()
        if code[0] in "45"
        for content in [response.get("content", {})]
    ]
    assert errors and all("application/json" not in c for c in errors)
    assert not any(p.startswith("/api/v2/class") for p in doc["paths"])  # not a classroom


def test_a_classroom_app_adds_the_class_boards_routes() -> None:
    wb = Workbench(":memory:")
    paths = create_app(wb, classroom=True).openapi()["paths"]
    assert {"/api/v2/class/results", "/api/v2/class/board"} <= set(paths)
