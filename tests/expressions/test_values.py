"""wfbench.expressions.values: kinds, bounds, text and comparison of values."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta, timezone

import pytest

from wfbench.errors import ExpressionError
from wfbench.expressions.values import (
    MAX_INT_BITS,
    bounded,
    compare,
    iso,
    kind_of,
    size_of,
    to_text,
)


def test_kind_of_speaks_json() -> None:
    kinds = [kind_of(v) for v in (None, True, 1, 1.5, "s", {}, [], (), b"x")]
    assert kinds == [
        "null",
        "a boolean",
        "an integer",
        "a number",
        "a string",
        "an object",
        "a list",
        "a list",
        "a bytes",
    ]


def test_bounded_refuses_huge_infinite_and_complex_numbers() -> None:
    assert bounded(2**MAX_INT_BITS - 1) == 2**MAX_INT_BITS - 1
    with pytest.raises(ExpressionError, match="too large"):
        bounded(2**MAX_INT_BITS)
    with pytest.raises(ExpressionError, match="out of range"):
        bounded(float("inf"))
    with pytest.raises(ExpressionError, match="not a real number"):
        bounded(1j)


def test_to_text_renders_null_booleans_and_containers() -> None:
    assert [to_text(v) for v in (None, True, 3, "x")] == ["", "true", "3", "x"]
    assert to_text({"a": [1, "é"]}) == '{"a":[1,"é"]}'
    assert size_of(["ab", {"c": 1}], 100) == 1 + 3 + 1 + 2 + 1


def test_iso_is_utc() -> None:
    plus_two = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert iso(plus_two) == "2026-01-01T10:00:00+00:00"
    assert iso(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    with pytest.raises(ExpressionError, match="not a datetime"):
        iso("today")


def test_compare_explains_what_cannot_be_compared() -> None:
    assert compare(ast.Eq, 1, 1.0) and compare(ast.NotIn, "z", "abc")
    assert compare(ast.In, [1], {"a": 1}) is False  # unhashable: no key
    assert compare(ast.Lt, 1, 2)
    with pytest.raises(ExpressionError, match="cannot compare a string with an integer"):
        compare(ast.Lt, "a", 1)
    with pytest.raises(ExpressionError, match="got null; wrap it in default"):
        compare(ast.In, 1, None)
