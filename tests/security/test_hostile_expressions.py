"""Issue 10.1: every function of the expression table is bounded before it computes.

The corpus calls every function in ``FUNCTIONS`` with hostile arguments (huge and
tiny numbers, text at and past the limit, wide objects, deep lists). Each call must
either give a bounded value or refuse with an ``ExpressionError``; a function added
to the table without an entry here fails ``test_every_function_is_in_the_corpus``.
A hang guard (SIGALRM, far above any honest call) turns a freeze into a failure.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfbench.errors import ExpressionError
from wfbench.expressions import FUNCTIONS, MAX_INT_BITS, MAX_LIST, MAX_STRING, parse_template
from wfbench.expressions.values import MAX_TOTAL, size_of

from .conftest import hang_guard

BIG = 2**MAX_INT_BITS - 1  # the largest integer an expression may hold
HUGE = 10**1200  # what an input may carry (JSON parses it), past the bound
LONG = "a" * (MAX_STRING + 1)
WIDE = {f"k{i}": i for i in range(MAX_LIST + 1)}
DEEP: list[Any] = []
for _ in range(200):
    DEEP = [DEEP]

SETTINGS = settings(max_examples=300, deadline=None, database=None)
HOSTILE: list[Any] = [
    0,
    -1,
    BIG,
    -BIG,
    HUGE,
    -HUGE,
    -(10**9),
    10**9,
    1e308,
    -1e308,
    5e-324,
    "",
    "a" * MAX_STRING,
    LONG,
    "ß" * MAX_STRING,  # upper() doubles it
    "1" * 5000,
    " " * 50_000 + "1",
    [1] * (MAX_LIST + 1),
    ["a" * 1000] * 2000,
    WIDE,
    DEEP,
    None,
    True,
]
# Arguments each function is called with: every hostile value in each position.
ARITIES = {
    "abs": 1,
    "bool": 1,
    "contains": 2,
    "default": 2,
    "endswith": 2,
    "float": 1,
    "int": 1,
    "join": 2,
    "keys": 1,
    "len": 1,
    "lower": 1,
    "max": 2,
    "min": 2,
    "now": 0,
    "round": 2,
    "split": 2,
    "startswith": 2,
    "str": 1,
    "strip": 1,
    "sum": 1,
    "upper": 1,
    "values": 1,
}


def assert_bounded(value: Any) -> None:
    """A function's result fits what expressions may build."""
    if isinstance(value, int) and not isinstance(value, bool):
        assert abs(value).bit_length() <= MAX_INT_BITS
    if isinstance(value, str):
        assert len(value) <= MAX_STRING
    if isinstance(value, list):
        assert len(value) <= MAX_LIST + 1
    assert size_of(value, MAX_TOTAL * 4) <= MAX_TOTAL * 4


def test_every_function_is_in_the_corpus() -> None:
    assert set(ARITIES) == set(FUNCTIONS), "give each new function its hostile arity here"


@pytest.mark.parametrize("name", sorted(ARITIES))
def test_each_function_refuses_or_bounds_every_hostile_argument(name: str) -> None:
    function = FUNCTIONS[name]
    arity = ARITIES[name]
    calls: list[tuple[Any, ...]] = [()]
    for position in range(arity):
        calls += [
            tuple(value if i == position else "x" if name != "round" else 1 for i in range(arity))
            for value in HOSTILE
        ]
    with hang_guard():
        for args in calls:
            try:
                result = function(*args)
            except ExpressionError:
                continue
            assert_bounded(result)


@pytest.mark.parametrize("digits", [-(10**9), 10**9, -(2**255), -401, 401])
def test_round_digits_are_bounded_before_computing(digits: int) -> None:
    """Issue 10.1: round(5, -10**9) computed 10**1,000,000,000 holding the GIL."""
    with hang_guard(), pytest.raises(ExpressionError, match="digits must be between"):
        parse_template("{{ round(x, d) }}").evaluate({"x": 5, "d": digits})


def test_round_with_ordinary_digits_still_works() -> None:
    assert parse_template("{{ round(x, -2) }}").evaluate({"x": 12345}) == 12300
    assert parse_template("{{ round(x, 2) }}").evaluate({"x": 1.23456}) == 1.23


def test_literal_round_digits_are_flagged_at_save() -> None:
    with pytest.raises(ExpressionError, match="digits must be between") as info:
        parse_template("{{ round(input.x, -1000000000) }}")
    assert info.value.position is not None


def test_huge_input_integers_are_refused_by_every_function_not_computed() -> None:
    with hang_guard():
        for name in ("abs", "str", "int", "float", "round", "sum"):
            args = [[HUGE]] if name == "sum" else [HUGE]
            with pytest.raises(ExpressionError):
                FUNCTIONS[name](*args)


_scalars = st.one_of(
    st.integers(min_value=-(2**300), max_value=2**300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=50),
    st.none(),
    st.booleans(),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)


@SETTINGS
@given(name=st.sampled_from(sorted(ARITIES)), args=st.lists(_values, max_size=3))
def test_random_arguments_never_escape_as_other_errors(name: str, args: list[Any]) -> None:
    """Any arguments: a bounded value or an ExpressionError, nothing else escapes."""
    try:
        result = FUNCTIONS[name](*args)
    except ExpressionError:
        return
    assert_bounded(result)


EXPRESSIONS = [
    "round(input.n, -1000000000)",
    "round(input.n, input.d)",
    "int(input.s) ** 9",
    "upper(input.s * 1000)",
    "join(input.many, input.s)",
    "split(input.s * 100, '')",
    "keys(input.wide)",
    "values(input.wide)",
    "str(input.huge)",
    "float(input.long)",
    "sum(input.many * 100)",
    "max(input.many * 100)",
    "contains(input.long, input.long)",
    "[[input.s] * 100] * 100 * 100",
    "len(str([[input.many] * 100] * 100))",
    "input.n ** input.n ** input.n",
    "1 ** input.huge",
    "(-1) ** input.huge",
    "input.huge * input.huge",
    "input.huge // 7",
    "input.huge % 7",
    "-input.huge",
    "round(input.f, 10 ** 9)",
]
HOSTILE_SCOPE = {
    "input": {
        "n": 99,
        "d": -(10**9),
        "s": "9" * 1000,
        "many": list(range(MAX_LIST)),
        "wide": WIDE,
        "huge": HUGE,
        "long": LONG,
        "f": 1.5,
    }
}


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_hostile_expression_corpus(source: str) -> None:
    with hang_guard():
        try:
            template = parse_template("{{ " + source + " }}")
            result = template.evaluate(HOSTILE_SCOPE)
        except ExpressionError:
            return
        assert_bounded(result)
