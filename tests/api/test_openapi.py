"""The OpenAPI document, and fuzzing the API from it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from .support import (
    API,
    PROBLEM,
    Api,
)

# --------------------------------------------------------------------------- the OpenAPI document


def test_openapi_document_declares_paths_security_and_problems(api: Api) -> None:
    doc = httpx.get(f"{api.server.url}/openapi.json").json()
    paths = doc["paths"]
    assert set(paths) == {
        API,
        f"{API}/runs",
        f"{API}/runs/{{run_id}}",
        f"{API}/{{id}}",
        f"{API}/{{id}}/runs",
    }
    assert list(paths).index(f"{API}/runs") < list(paths).index(f"{API}/{{id}}")
    assert set(paths[f"{API}/{{id}}"]) == {"get", "put", "delete"}
    scheme = doc["components"]["securitySchemes"]["APIKeyHeader"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": scheme["description"],
    }
    start = paths[f"{API}/{{id}}/runs"]["post"]
    assert set(start["responses"]) >= {
        "200",
        "201",
        "202",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
    }
    assert "Location" in start["responses"]["202"]["headers"]
    assert {p["name"] for p in start["parameters"]} == {
        "id",
        "wait",
        "dry_run",
        "Idempotency-Key",
        "directory",
        "plan",
    }
    assert start["security"] == [{"APIKeyHeader": []}]
    assert "requestBody" in start
    create = paths[API]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create == {"$ref": "#/components/schemas/WorkflowWrite"}
    for path in paths.values():
        for operation in path.values():
            for code, response in operation["responses"].items():
                if code >= "400":
                    assert list(response["content"]) == [PROBLEM], (code, operation["summary"])
    assert "HTTPValidationError" not in json.dumps(doc)


# --------------------------------------------------------------------------- fuzzing


#: Every response check but ``positive_data_acceptance``: a schema-valid definition may
#: still be refused (an unknown action, role or expression is not a schema matter), and
#: a run's input is checked against each workflow's own schema, not the generic one.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.negative_data_rejection,
]


#: Operations that take nothing but a key and path segments (any string is valid).
NOTHING_TO_NEGATE = {
    f"GET {API}",
    f"GET {API}/{{id}}",
    f"DELETE {API}/{{id}}",
    f"GET {API}/runs/{{run_id}}",
}


def fuzz(operation: Any, mode: GenerationMode, key: str, **fixed: Any) -> None:
    """20 generated requests to one operation, every response checked."""
    headers = {"x-api-key": key}

    @given(case=operation.as_strategy(generation_mode=mode, headers=headers, **fixed))
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def call(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzing_from_the_openapi_document_finds_no_server_error(
    fuzz_api: Api, mode: GenerationMode
) -> None:
    """Every operation from ``/openapi.json`` with an editor key (schemathesis 4).

    Random ids mostly meet 404s, so the operations on one workflow are fuzzed again on
    a real one. Negative mode skips what it cannot make invalid: a key is always sent,
    and a path segment is any string.
    """
    schema = schemathesis.openapi.from_url(f"{fuzz_api.server.url}/openapi.json")
    key = fuzz_api.keys["editor"]
    operations = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document itself is valid
        operations[result.ok().label] = result.ok()
    assert len(operations) == 8
    hello = fuzz_api.wb.workflows.info("Hello").id
    for label, operation in operations.items():
        if mode is GenerationMode.POSITIVE or label not in NOTHING_TO_NEGATE:
            fuzz(operation, mode, key)
        if label == f"POST {API}/{{id}}/runs" or (
            label == f"PUT {API}/{{id}}" and mode is GenerationMode.POSITIVE
        ):
            fuzz(operation, mode, key, path_parameters={"id": hello})
    # The store survived: it still opens and answers.
    with fuzz_api.client("viewer") as c:
        assert c.get(API).status_code == 200
        assert c.get(f"{API}/runs").status_code == 200
