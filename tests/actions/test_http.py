"""wfbench.actions.http: the http.request action's parameters and response."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from wfbench.actions.http import HttpRequestParams, HttpResponse


def test_http_request_body_is_called_json() -> None:
    params = HttpRequestParams.model_validate({"connector": "crm", "json": {"a": 1}})
    assert params.json_ == {"a": 1}
    assert params.model_dump() == {
        "connector": "crm",
        "method": "GET",
        "path": "/",
        "query": None,
        "headers": None,
        "json": {"a": 1},
    }
    assert HttpRequestParams(connector="crm", json_=[1]).json_ == [1]
    assert HttpRequestParams.model_fields["json_"].alias == "json"
    schema = HttpRequestParams.model_json_schema(by_alias=True)
    assert "json" in schema["properties"]
    assert schema["properties"]["method"]["enum"] == ["GET", "POST", "PUT", "PATCH", "DELETE"]
    response = HttpResponse.model_validate({"status_code": 200, "headers": {}, "text": "ok"})
    assert response.json_ is None
    assert "json" in response.model_dump()


@pytest.mark.parametrize("path", ["https://evil.example/x", "//evil.example/x", "x", "/a\nb"])
def test_http_path_stays_under_the_connector(path: str) -> None:
    with pytest.raises(ValidationError):
        HttpRequestParams.model_validate({"connector": "crm", "path": path})


def test_http_method_and_query_types() -> None:
    with pytest.raises(ValidationError):
        HttpRequestParams.model_validate({"connector": "crm", "method": "TRACE"})
    params = HttpRequestParams.model_validate(
        {"connector": "crm", "method": "POST", "path": "/v1/x", "query": {"a": 1, "b": "x"}}
    )
    assert params.query == {"a": 1, "b": "x"}
