"""wfbench.expressions.parse: templates, text rendering, render(), positions of errors."""

from __future__ import annotations

import pytest
from expression_scope import FIXED, SCOPE, error_of, ev

from wfbench.errors import ExpressionError, WfbenchError
from wfbench.expressions import (
    MAX_DEPTH,
    MAX_SOURCE,
    Expression,
    Template,
    is_template,
    parse_template,
    render,
)

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
