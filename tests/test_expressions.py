"""Tests for :mod:`wfbench.expressions`: values, references, positions, refusals, properties."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfbench.errors import ExpressionError, WfbenchError
from wfbench.expressions import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_INT_BITS,
    MAX_LIST,
    MAX_SOURCE,
    MAX_STRING,
    Expression,
    Reference,
    Template,
    is_template,
    parse_template,
    render,
)

SCOPE: dict[str, Any] = {
    "input": {
        "email": "Ada@Example.com",
        "count": 3,
        "ratio": 0.5,
        "tags": ["a", "b", "c"],
        "notify": True,
        "name": " Ada ",
        "nested": {"k": [10, 20]},
        "csv": "x,y,,z",
    },
    "steps": {
        "user": {
            "status": "succeeded",
            "output": {
                "id": "u1",
                "groups": [{"id": "g1"}, {"id": "g2"}],
                "employee_type": "contractor",
            },
        },
        "skipped": None,
    },
    "loop": {"index": 2},
    "group": {"id": "g7"},
}
SANDBOX_SCOPE: dict[str, Any] = {"input": {"a": "x"}}
FIXED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
SETTINGS = settings(max_examples=400, deadline=None, database=None)


def ev(text: str, scope: dict[str, Any] = SCOPE, **kwargs: Any) -> Any:
    return parse_template(text).evaluate(scope, **kwargs)


def error_of(text: str, scope: dict[str, Any] = SCOPE) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        ev(text, scope)
    return info.value


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
    ("{1: 'one', null: 'none'}", {1: "one", None: "none"}),
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


# --- templates: single values, text rendering, render() ---------------------------------


def test_single_expression_keeps_its_type() -> None:
    assert ev("{{ [1,2] }}") == [1, 2]
    assert ev("{{input.count}}") == 3
    assert ev("{{ input.nested }}") == {"k": [10, 20]}
    assert ev("{{ input.notify }}") is True
    assert ev("{{ input.missing }}") is None


def test_text_around_an_expression_makes_a_string() -> None:
    assert ev("a {{ 1 }}") == "a 1"
    assert ev(" {{ 1 }}") == " 1"
    assert ev("{{ 1 }}{{ 2 }}") == "12"
    assert ev("{{ input.tags }}!") == '["a","b","c"]!'
    assert ev("<{{ null }}|{{ true }}|{{ false }}|{{ 1.5 }}>") == "<|true|false|1.5>"
    assert ev("v={{ {'a': [1, true]} }}") == 'v={"a":[1,true]}'
    assert ev("{{ input.email }} is not a contractor") == "Ada@Example.com is not a contractor"
    assert ev("{{ 'é' }} ünïcode") == "é ünïcode"


def test_single_is_exactly_one_expression_and_nothing_else() -> None:
    assert parse_template("{{ x }}").single
    assert parse_template("{{x}}").single
    assert parse_template("{{   x\n }}").single
    assert not parse_template(" {{ x }}").single
    assert not parse_template("{{ x }} ").single
    assert not parse_template("{{ x }}{{ y }}").single
    assert not parse_template("plain").single


def test_plain_text_is_one_literal_part() -> None:
    template = parse_template("just text }} here")
    assert template == Template("just text }} here", ("just text }} here",))
    assert template.evaluate(SCOPE) == "just text }} here"
    assert template.references() == []
    assert parse_template("").evaluate(SCOPE) == ""
    assert parse_template("x" * (MAX_SOURCE * 3)).evaluate({}) == "x" * (MAX_SOURCE * 3)


def test_parts_sources_and_offsets() -> None:
    template = parse_template("ab {{ x }} cd {{y}}")
    assert [p if isinstance(p, str) else (p.source, p.offset) for p in template.parts] == [
        "ab ",
        (" x ", 5),
        " cd ",
        ("y", 16),
    ]
    expression = template.parts[1]
    assert isinstance(expression, Expression)
    assert expression.evaluate({"x": 41}) == 41


def test_nested_braces_and_braces_in_strings_are_one_expression() -> None:
    assert ev("{{ {'a': {'b': 1}} }}") == {"a": {"b": 1}}
    assert ev("{{ '}}' + \"}}\" }}") == "}}}}"
    assert ev("{{ 'it\\'s' }}") == "it's"


def test_parse_results_are_cached() -> None:
    text = "{{ input.count + 100 }}"
    assert parse_template(text) is parse_template(text)


def test_is_template() -> None:
    assert is_template("a {{ b }}")
    assert is_template("{{")
    assert not is_template("a { b }")
    assert not is_template(3)
    assert not is_template(None)
    assert not is_template(["{{ x }}"])


def test_render_walks_dicts_and_lists_and_leaves_keys_alone() -> None:
    value = {
        "email": "{{ input.email }}",
        "{{ key }}": "plain",
        "list": ["{{ input.count }}", 5, None, {"deep": "n={{ input.count }}"}],
        "flag": True,
    }
    assert render(value, SCOPE) == {
        "email": "Ada@Example.com",
        "{{ key }}": "plain",
        "list": [3, 5, None, {"deep": "n=3"}],
        "flag": True,
    }
    assert render("{{ now() }}", SCOPE, now=lambda: FIXED) == "2024-05-06T07:08:09+00:00"
    assert render(7, SCOPE) == 7


def test_rendered_text_is_bounded() -> None:
    big = {"s": "x" * 60_000}
    assert len(ev("{{ s }}", big)) == 60_000
    error = error_of("{{ s }}{{ s }}", big)
    assert "longer than" in error.message
    assert error.position == 10  # the second expression
    error = error_of("a{{ l }}", {"l": ["x" * 1000] * 200})
    assert "longer than" in error.message
    assert error.position == 4


# --- references -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ input.email }}", [Reference("input", ("email",), 3, False)]),
        (
            "{{ steps.user.output.groups[0] }}",
            [Reference("steps", ("user", "output", "groups", 0), 3, False)],
        ),
        ("{{ input.tags[-1] }}", [Reference("input", ("tags", -1), 3, False)]),
        ("{{ input['odd key'].x }}", [Reference("input", ("odd key", "x"), 3, False)]),
        (
            "{{ default(steps.a.output.id, 'n') }}",
            [Reference("steps", ("a", "output", "id"), 11, True)],
        ),
        (
            "Hi {{ input.name }}, {{ default(input.x, 1) + loop.index }}",
            [
                Reference("input", ("name",), 6, False),
                Reference("input", ("x",), 32, True),
                Reference("loop", ("index",), 46, False),
            ],
        ),
        (
            "{{ steps.a.output[input.k].y }}",
            [
                Reference("steps", ("a", "output"), 3, False),
                Reference("input", ("k",), 18, False),
            ],
        ),
        (
            "{{ default(input.a[steps.b.output.i], 0) }}",
            [
                Reference("input", ("a",), 11, True),
                Reference("steps", ("b", "output", "i"), 19, True),
            ],
        ),
        (
            "{{ default(1, input.fallback) }}",
            [Reference("input", ("fallback",), 14, False)],
        ),
        ("{{ len(input.tags) > 0 }}", [Reference("input", ("tags",), 7, False)]),
        ("{{ [x, y.z] }}", [Reference("x", (), 4, False), Reference("y", ("z",), 7, False)]),
        ("{{ input.tags[1:2] }}", [Reference("input", ("tags",), 3, False)]),
        ("{{ split(x, ',')[0].y }}", [Reference("x", (), 9, False)]),
        ("{{ true or null or false }}", []),
        ("{{ 1 + 2 }}", []),
        ("{{ 'é' + input.x }}", [Reference("input", ("x",), 9, False)]),
        ("{{ [1,\n  input.x] }}", [Reference("input", ("x",), 9, False)]),
        (
            "{{ group.id if loop.index else null }}",
            [Reference("group", ("id",), 3, False), Reference("loop", ("index",), 15, False)],
        ),
    ],
)
def test_references_are_found_statically(text: str, expected: list[Reference]) -> None:
    assert parse_template(text).references() == expected


def test_references_point_at_their_root_name() -> None:
    text = "é {{ 'ü' }} {{ default(steps.user.output.id, input.email) }}"
    for reference in parse_template(text).references():
        assert text[reference.position :].startswith(reference.root)


# --- positions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("{{ steps.create.output.manager_email != }}", 39, "invalid expression"),
        ("x {{ y", 2, "'{{' is never closed"),
        ("{{ a }} and {{ b", 12, "'{{' is never closed"),
        ("{{ }}", 0, "empty expression"),
        ("ab {{}}", 3, "empty expression"),
        ("ab {{ 'é' + input._x }}", 18, "attribute names starting with '_'"),
        ("{{ 'é' $ }}", 7, "invalid expression"),
        ("{{ 'abc }}", 3, "unterminated string"),
        ("{{ (1 + }}", 3, "never closed"),
        ("{{ (1 +\n 2 $ 3) }}", 11, "invalid expression"),
        ("{{ input.tags[5] }}", 14, "index 5 is out of range for a list of length 3"),
        ("{{ input.email.b }}", 15, "cannot read attribute 'b' of a string"),
        ("{{ x }}", 3, "unknown name 'x'; names in scope are: group, input, loop, steps"),
        ("{{ 1 + 'a' }}", 3, "cannot apply '+' to an integer and a string"),
        ("text {{ 10 / (input.count - 3) }}", 8, "division by zero"),
        ("{{ len(1, 2) }}", 3, "takes 1 argument"),
        ("{{ [1, 2, __x] }}", 10, "names starting with '_' are not allowed"),
        ("{{ 1 if 0 else [\n  input.tags['a']] }}", 30, "cannot index a list with a string"),
        ("{{ input is null }}", 3, "use == null or != null"),
        ("{{ input.count | 1 }}", 3, "allowed operators are"),
        ("{{ round(1.5, ndigits=1) }}", 14, "keyword arguments are not allowed"),
        ("{{ input.tags[::2] }}", 16, "slice steps are not allowed"),
        ("{{ 'a\0' }}", 5, "NUL"),
        ("{{ 'a\ud800' }}", 5, "not valid text"),
        ("{{ 1 < 'a' }}", 3, "cannot compare an integer with a string using '<'"),
        ("{{ null < 1 }}", 3, "default(x, fallback)"),
        ("{{ 'a' in 1 }}", 3, "'in' needs text, a list or an object on the right"),
        ("{{ -'a' }}", 3, "cannot apply '-' to a string"),
        ("{{ 'x'[1:'a'] }}", 7, "slice bounds must be integers"),
        ("{{ input[1:2] }}", 9, "cannot slice an object"),
        ("{{ 3[0] }}", 5, "cannot index an integer"),
        ("{{ {[1]: 2} }}", 4, "object keys must be text or numbers"),
    ],
)
def test_errors_point_at_the_offending_place(text: str, position: int, message: str) -> None:
    error = error_of(text)
    assert error.position == position
    assert message in error.message
    assert error.source == text
    assert f"(at column {position + 1})" in str(error)


def test_expression_error_is_a_wfbench_error() -> None:
    assert issubclass(ExpressionError, WfbenchError)
    with pytest.raises(WfbenchError):
        parse_template("{{ __import__('os') }}")


def test_a_field_longer_than_max_source_is_refused() -> None:
    error = error_of("{{ 1 }}" + " " * MAX_SOURCE)
    assert error.position == 0
    assert "too long" in error.message
    assert ev("{{ 1 }}" + " " * (MAX_SOURCE - 7)) == "1" + " " * (MAX_SOURCE - 7)


def test_depth_beyond_max_depth_is_refused_and_within_is_fine() -> None:
    assert ev("{{ " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + " }}") is not None
    error = error_of("{{ " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + " }}")
    assert "nested too deeply" in error.message


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


# --- sandbox escapes --------------------------------------------------------------------

ESCAPES = [
    "().__class__.__bases__[0].__subclasses__()",
    "input.__class__",
    "input.a.__class__.__mro__",
    "__import__('os').system('id')",
    "__builtins__",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('x')",
    "getattr(input, '__class__')",
    "globals()",
    "locals()",
    "vars()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "{k: v for k, v in input}",
    "(x for x in input)",
    "lambda: 0",
    "(lambda: 0)()",
    "9**9**9",
    "'a'*10**9",
    "[1]*10**9",
    "10**10**10",
    "[[0] * 10000] * 10000",
    "f'{input}'",
    "input._private",
    "(x := 1)",
    "{1,2}",
    "*input",
    "{**input}",
    "input.a.upper()",
    "'{0.__class__}'.format(input)",
    "input.get('a')",
    "str.join",
    "type(input)",
    "compile('1','','eval')",
    '"a".join',
    "'%s' % input",
    "'%*d' % (10**9, 1)",
    "input.a | input.a",
    "~1",
    "1 << 100000",
    "input is None",
    "round(1, ndigits=2)",
    "len(*input)",
    "await input",
    "(yield)",
    "b'bytes'",
    "1j",
    "...",
    "(" * 500 + "1" + ")" * 500,
    "[" * 500 + "]" * 500,
    "-" * 3000 + "1",
    "not " * 10000 + "1",
    "input" + ".a" * 2000,
    "+".join(["1"] * 1500),
    "int('9'*5000)",
    "'x'*100000 + 'y'*100000",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_sandbox_escapes_are_refused(expression: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_template("{{ " + expression + " }}").evaluate(SANDBOX_SCOPE)
    assert info.value.message
    assert info.value.position is not None


def test_the_escape_corpus_is_large_enough() -> None:
    assert len(ESCAPES) >= 25


@pytest.mark.parametrize(
    "expression",
    [
        "input.__class__",
        "__import__('os')",
        "open('/etc/passwd')",
        "lambda: 0",
        "f'{input}'",
        "input.a.upper()",
        "{1, 2}",
        "(x := 1)",
        "getattr(input, 'a')",
        "input.a | 1",
    ],
)
def test_unsafe_constructs_are_refused_before_anything_runs(expression: str) -> None:
    with pytest.raises(ExpressionError):
        parse_template("{{ " + expression + " }}")


def test_huge_power_is_refused_without_computing_it() -> None:
    # 9 ** 387420489 would take minutes and gigabytes; the estimate refuses it at once.
    assert "too large" in error_of("{{ 9**9**9 }}", SANDBOX_SCOPE).message


def test_mapping_keys_that_look_like_dunders_are_just_missing_data() -> None:
    assert ev("{{ input['__class__'] }}", SANDBOX_SCOPE) is None
    assert ev("{{ input.keys }}", SANDBOX_SCOPE) is None


def test_parser_warnings_do_not_leak() -> None:
    # pytest turns warnings into errors here; "1if" and "'\\d'" make the parser warn.
    assert ev("{{ 1if true else 2 }}") == 1
    assert ev("{{ '\\d' }}") == "\\d"


def test_non_text_template_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError):
        parse_template(["{{ x }}"])  # type: ignore[arg-type]


def test_misbehaving_scope_values_still_give_expression_errors() -> None:
    class Weird:
        def __bool__(self) -> bool:
            raise RuntimeError("boom")

    with pytest.raises(ExpressionError, match="RuntimeError"):
        ev("{{ not w }}", {"w": Weird()})
    with pytest.raises(ExpressionError):
        ev("{{ str(x) }}", {"x": [10**5000]})
    circular: list[Any] = []
    circular.append(circular)
    with pytest.raises(ExpressionError):
        ev("a {{ c }}", {"c": circular})


# --- properties -------------------------------------------------------------------------


def _outcome(text: str, scope: dict[str, Any]) -> Any:
    """Parse and evaluate; only ExpressionError may come out, with a sane position."""
    try:
        return parse_template(text).evaluate(scope, now=lambda: FIXED)
    except Exception as err:
        assert isinstance(err, ExpressionError), f"{type(err).__name__}: {err}"
        assert err.position is None or 0 <= err.position <= len(text)
        return err


@SETTINGS
@given(st.text(), st.sampled_from(["{}", "{{{{{}", "{}}}}}", "{{{{{}}}}}", "a {{{{ {} }}}} b"]))
def test_any_text_either_evaluates_or_raises_expression_error(text: str, shape: str) -> None:
    _outcome(shape.format(text), SANDBOX_SCOPE)


ATOMS = st.one_of(
    st.integers(-(2**80), 2**80).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=4).map(repr),
    st.sampled_from(["input", "input.a", "input.n", "input.l", "input.l[0]", "input.d", "x"]),
    st.sampled_from(["true", "false", "null", "steps.s.output", "loop.index", "9", "2", "0"]),
)
BINARY = ["+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", ">=", "in", "not in", "and", "or"]
BINARY += ["|", "is", "<<"]
CALLABLE = [*sorted(FUNCTIONS), "open", "getattr"]


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["not ", "-", "+", "~"]), inner).map("".join),
        st.tuples(st.sampled_from(CALLABLE), st.lists(inner, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(inner, st.sampled_from(["a", "b", "output", "_x", "__class__"])).map(".".join),
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(inner, inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
        ),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]}[{t[1]}:{t[2]}]"),
    )


EXPRESSIONS = st.recursive(ATOMS, _extend, max_leaves=12)
GRAMMAR_SCOPE: dict[str, Any] = {
    "input": {"a": "xy", "n": 7, "l": [1, "two", 3.0, None], "d": {"a": 1, "b": [2]}},
    "steps": {"s": {"output": [{"a": 1}], "status": "succeeded"}},
    "loop": {"index": 0},
}


@SETTINGS
@given(EXPRESSIONS, st.booleans())
def test_generated_expressions_evaluate_or_raise_expression_error(
    expression: str, with_text: bool
) -> None:
    text = f"[{{{{ {expression} }}}}]" if with_text else f"{{{{ {expression} }}}}"
    result = _outcome(text, GRAMMAR_SCOPE)
    if isinstance(result, str):
        assert len(result) <= MAX_STRING + len(text)
    if not isinstance(result, ExpressionError):
        json.dumps(result, default=str)  # plain data only
        for reference in parse_template(text).references():
            assert text[reference.position :].startswith(reference.root)


TOKENS = ["input", ".", "a", "[", "]", "(", ")", "{", "}", ",", ":", "'s'", "1", "-", "**"]
TOKENS += ["not", "if", "else", "lambda", "_", "__class__", "len", "==", "in", "{{", "}}", "\n"]


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_token_soup_never_escapes_as_another_error(tokens: list[str]) -> None:
    _outcome("{{ " + " ".join(tokens) + " }}", GRAMMAR_SCOPE)
    _outcome("{{ " + "".join(tokens) + " }}", GRAMMAR_SCOPE)
