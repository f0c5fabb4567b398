"""wfbench.expressions.functions: the function table, each function, and its misuse."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from expression_scope import FIXED, error_of, ev

from wfbench.errors import ExpressionError
from wfbench.expressions import (
    FUNCTIONS,
    MAX_INT_BITS,
)

FUNCTION_CASES: list[tuple[str, Any]] = [
    ("len('abc')", 3),
    ("len(input.tags)", 3),
    ("len(input.nested)", 1),
    ("len(null)", 0),
    ("len(steps.skipped.output)", 0),
    ("lower(input.email)", "ada@example.com"),
    ("upper('abc')", "ABC"),
    ("strip(input.name)", "Ada"),
    ("startswith(input.email, 'Ada')", True),
    ("startswith(input.email, 'ada')", False),
    ("endswith(input.email, '.com')", True),
    ("endswith(input.email, '.org')", False),
    ("contains('abc', 'b')", True),
    ("contains('abc', 'z')", False),
    ("contains(input.tags, 'c')", True),
    ("contains(input.tags, 'z')", False),
    ("contains(input, 'email')", True),
    ("contains(input, 'nope')", False),
    ("contains(input, [1])", False),
    ("join(input.tags)", "abc"),
    ("join(input.tags, ', ')", "a, b, c"),
    ("join([1, true, null, 'x'], '-')", "1-true--x"),
    ("join([], '-')", ""),
    ("split(input.csv, ',')", ["x", "y", "", "z"]),
    ("split(' a  b ')", ["a", "b"]),
    ("default(input.missing, 5)", 5),
    ("default(input.count, 5)", 3),
    ("default(false, 5)", False),
    ("default(steps.skipped.output.id, 'none')", "none"),
    ("int('42')", 42),
    ("int(' -7 ')", -7),
    ("int(3.9)", 3),
    ("int(true)", 1),
    ("float('1.5')", 1.5),
    ("float(2)", 2.0),
    ("str(12)", "12"),
    ("str(1.5)", "1.5"),
    ("str(null)", ""),
    ("str(true)", "true"),
    ("str([1, 'a', null])", '[1,"a",null]'),
    ("str({'a': false})", '{"a":false}'),
    ("bool(0)", False),
    ("bool('x')", True),
    ("bool([])", False),
    ("min(input.nested.k)", 10),
    ("min(3, 1, 2)", 1),
    ("min('b', 'a')", "a"),
    ("max(input.tags)", "c"),
    ("max(3, 7.5)", 7.5),
    ("sum([1, 2, 3])", 6),
    ("sum([1, 2.5])", 3.5),
    ("sum([])", 0),
    ("abs(-3)", 3),
    ("abs(-2.5)", 2.5),
    ("round(2.567, 2)", 2.57),
    ("round(2.5)", 2),
    ("round(1234, -2)", 1200),
    ("keys({'a': 1, 'b': 2})", ["a", "b"]),
    ("values({'a': 1, 'b': 2})", [1, 2]),
    ("keys(input.nested)", ["k"]),
]


@pytest.mark.parametrize(("expression", "expected"), FUNCTION_CASES)
def test_each_function_gives_its_value(expression: str, expected: Any) -> None:
    result = ev("{{ " + expression + " }}")
    assert result == expected
    assert type(result) is type(expected)


def test_function_table_holds_the_product_functions() -> None:
    required = {"len", "lower", "upper", "strip", "startswith", "endswith", "contains", "join"}
    required |= {"split", "default", "int", "float", "str", "bool", "min", "max", "sum", "now"}
    assert required <= set(FUNCTIONS)
    assert FUNCTIONS["lower"]("AbC") == "abc"
    assert FUNCTIONS["default"](None, 1) == 1
    with pytest.raises(ExpressionError, match=r"takes 1 argument"):
        FUNCTIONS["len"]()
    with pytest.raises(TypeError):
        FUNCTIONS["evil"] = print  # type: ignore[index]


def test_now_reads_the_injected_clock_as_utc_iso() -> None:
    assert ev("{{ now() }}", now=lambda: FIXED) == "2024-05-06T07:08:09+00:00"
    paris = datetime(2024, 5, 6, 9, 8, 9, tzinfo=timezone(timedelta(hours=2)))
    assert ev("{{ now() }}", now=lambda: paris) == "2024-05-06T07:08:09+00:00"
    assert ev("at {{ now() }}", now=lambda: FIXED) == "at 2024-05-06T07:08:09+00:00"
    real = ev("{{ now() }}")
    assert isinstance(real, str)
    assert datetime.fromisoformat(real).tzinfo is not None
    with pytest.raises(ExpressionError, match=r"now\(\) takes 0"):
        ev("{{ now(1) }}", now=lambda: FIXED)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("len(1)", "len(value): value must be text, a list or an object, got an integer"),
        ("lower(null)", "lower(text): text must be text, got null; wrap it in default"),
        ("upper(1)", "upper(text): text must be text, got an integer"),
        ("contains(1, 1)", "container must be text, a list or an object"),
        ("contains('abc', 1)", "needs text on the left"),
        ("join('abc')", "join(items, separator=''): items must be a list, got a string"),
        ("split('a', '')", "non-empty separator"),
        ("int('abc')", "int() cannot convert 'abc'"),
        ("int(null)", "int(value): value must be a number or text, got null"),
        ("int('9' * 5000)", "text this long"),
        ("int(1e300)", f"more than {MAX_INT_BITS} bits"),
        ("float('x')", "float() cannot convert 'x'"),
        ("float('inf')", "out of range"),
        ("float('nan')", "out of range"),
        ("float('1e999')", "out of range"),
        ("min([])", "non-empty list"),
        ("min(1, 'a')", "all numbers or all text"),
        ("min()", "non-empty list"),
        ("sum(['a'])", "sum() needs a list of numbers, found a string"),
        ("abs('x')", "abs(x): x must be a number"),
        ("round(1e300)", f"more than {MAX_INT_BITS} bits"),
        ("round(1.5, 'x')", "digits must be an integer"),
        ("round(1, 2, 3)", "round(x, digits=0) takes 1 to 2 argument(s), got 3"),
        ("keys([1])", "keys(obj): obj must be an object, got a list"),
        ("default(1)", "default(value, fallback) takes 2 argument(s), got 1"),
        ("len()", "len(value) takes 1 argument(s), got 0"),
    ],
)
def test_function_misuse_says_what_is_wrong(expression: str, message: str) -> None:
    assert message in error_of("{{ " + expression + " }}").message
