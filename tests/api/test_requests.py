"""wfbench.api.requests: request bodies and callers."""

from __future__ import annotations

import pytest

from wfbench.api.problems import ApiProblem
from wfbench.api.requests import EMPTY, Caller, split_enabled


def test_enabled_is_split_off_a_definition_body() -> None:
    assert split_enabled({"name": "x", "enabled": False}) == ({"name": "x"}, False)
    assert split_enabled({"name": "x"}) == ({"name": "x"}, None)
    assert split_enabled([1]) == ([1], None)


def test_a_bad_enabled_or_an_empty_body_is_a_problem() -> None:
    with pytest.raises(ApiProblem) as caught:
        split_enabled({"enabled": "yes"})
    assert (caught.value.status, caught.value.slug) == (422, "invalid-definition")
    assert caught.value.extra["errors"] == [
        {"pointer": "/enabled", "message": "must be true or false"}
    ]
    with pytest.raises(ApiProblem) as empty:
        split_enabled(EMPTY)
    assert (empty.value.status, empty.value.slug) == (400, "malformed-json")


def test_a_callers_label_names_the_key() -> None:
    assert Caller("ci", "runner").label == "api:ci"
