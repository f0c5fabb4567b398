"""wfbench.expressions.evaluate: each construct's value, and sizes bounded while evaluating."""

from __future__ import annotations

from typing import Any

import pytest
from expression_scope import error_of, ev

from wfbench.expressions import (
    MAX_LIST,
    MAX_STRING,
)

# --- evaluation of each construct ------------------------------------------------------

CONSTRUCTS: list[tuple[str, Any]] = [
    # literals and the JSON aliases
    ("1", 1),
    ("1.5", 1.5),
    ("'x'", "x"),
    ('"a" "b"', "ab"),
    ("None", None),
    ("True", True),
    ("true", True),
    ("false", False),
    ("null", None),
    # names, attributes, subscripts, slices
    ("input.email", "Ada@Example.com"),
    ("input['email']", "Ada@Example.com"),
    ("input.tags[0]", "a"),
    ("input.tags[-1]", "c"),
    ("input.tags[1:]", ["b", "c"]),
    ("input.tags[:2]", ["a", "b"]),
    ("input.tags[-2:]", ["b", "c"]),
    ("input.name[1:4]", "Ada"),
    ("input.email[0]", "A"),
    ("input.nested.k[1]", 20),
    ("input.tags[input.count - 2]", "b"),
    ("steps.user.output.groups[1].id", "g2"),
    ("steps.user.status", "succeeded"),
    ("group.id", "g7"),
    ("loop.index", 2),
    # missing keys and null propagation
    ("input.missing", None),
    ("input['missing']", None),
    ("steps.nope", None),
    ("steps.skipped.output.id", None),
    ("steps.skipped.output[0]", None),
    ("steps.skipped.output[1:]", None),
    ("null.x.y", None),
    ("input.missing == null", True),
    # unary operators
    ("-input.count", -3),
    ("+2", 2),
    ("not input.notify", False),
    ("not null", True),
    ("- -1", 1),
    # arithmetic
    ("1 + 2", 3),
    ("7 - 10", -3),
    ("6 * 7", 42),
    ("1.5 * 2", 3.0),
    ("7 / 2", 3.5),
    ("7 // 2", 3),
    ("-7 // 2", -4),
    ("7 % 3", 1),
    ("2 ** 10", 1024),
    ("2 ** -1", 0.5),
    ("2 ** 255", 2**255),
    ("(-2) ** 3", -8),
    ("input.count * input.ratio", 1.5),
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    # text and list operators
    ("'ab' + 'cd'", "abcd"),
    ("'ab' * 3", "ababab"),
    ("3 * 'ab'", "ababab"),
    ("'x' * -1", ""),
    ("[1] + [2, 3]", [1, 2, 3]),
    ("input.tags + ['d']", ["a", "b", "c", "d"]),
    ("[0] * 3", [0, 0, 0]),
    ("2 * [1, 2]", [1, 2, 1, 2]),
    # comparisons, chained and membership
    ("1 < 2", True),
    ("1 < 2 < 3", True),
    ("3 > 2 > 2", False),
    ("2 >= 2", True),
    ("2 <= 1", False),
    ("'a' < 'b'", True),
    ("input.count == 3", True),
    ("input.count != 3", False),
    ("1 == 1.0", True),
    ("'b' in input.tags", True),
    ("'z' not in input.tags", True),
    ("'Ada' in input.email", True),
    ("'email' in input", True),
    ("'zzz' in input", False),
    ("[1] in [[1], [2]]", True),
    ("steps.user.output.employee_type == 'contractor'", True),
    # and / or keep Python semantics, including short-circuits
    ("0 or 'x'", "x"),
    ("1 and 2", 2),
    ("'' and 1", ""),
    ("null and 1 / 0", None),
    ("1 or 1 / 0", 1),
    ("input.missing or 'fallback'", "fallback"),
    ("true and false or 'z'", "z"),
    # conditional expressions
    ("'yes' if input.notify else 'no'", "yes"),
    ("'a' if 0 else 'b'", "b"),
    ("1 if true else 1 / 0", 1),
    # list, tuple and dict literals
    ("[1, 'a', null]", [1, "a", None]),
    ("(1, 2)", [1, 2]),
    ("1, 2", [1, 2]),
    ("[]", []),
    ("{}", {}),
    ("{'a': 1, 'b': [input.count]}", {"a": 1, "b": [3]}),
    ("{'a': {'b': 1}}", {"a": {"b": 1}}),
    ("{1: 'one', null: 'none'}", {"1": "one", "null": "none"}),  # keys as JSON writes them
    ("[[1, 2], [3]][0][1]", 2),
    ("{'k': 'v'}['k']", "v"),
    ("{'k': 'v'}.k", "v"),
    ("'}}'", "}}"),
]


@pytest.mark.parametrize(("expression", "expected"), CONSTRUCTS)
def test_each_construct_evaluates_to_its_value(expression: str, expected: Any) -> None:
    result = ev("{{ " + expression + " }}")
    assert result == expected
    assert type(result) is type(expected)


def test_sizes_are_bounded() -> None:
    assert len(ev("{{ 'x' * 100000 }}")) == MAX_STRING
    assert "longer than" in error_of("{{ 'x' * 100001 }}").message
    assert len(ev("{{ [0] * 10000 }}")) == MAX_LIST
    assert "too large" in error_of("{{ [0] * 10001 }}").message
    assert "too large" in error_of("{{ [[0] * 10000] * 10000 }}").message
    assert "too large" in error_of("{{ [1] * 6000 + [2] * 6000 }}").message
    assert ev("{{ (2 ** 255 - 1) * 2 + 1 }}") == 2**256 - 1
    assert "too large" in error_of("{{ 2 ** 256 }}").message
    assert "too large" in error_of("{{ 2 ** 200 * 2 ** 100 }}").message
    assert "out of range" in error_of("{{ 1e308 * 10 }}").message
    assert "not a real number" in error_of("{{ (-8) ** 0.5 }}").message
    assert "division by zero" in error_of("{{ 0 ** -1 }}").message
    assert "division by zero" in error_of("{{ 5 % 0 }}").message
    assert "division by zero" in error_of("{{ 5.0 // 0.0 }}").message
    assert "smaller number" in error_of("{{ 1e999 }}").message
    assert "smaller number" in error_of("{{ " + "9" * 100 + " }}").message
    assert "more than 10,000 items" in error_of("{{ split(',' * 10000, ',') }}").message
    assert "longer than" in error_of("{{ join([s, s]) }}", {"s": "x" * 60_000}).message
