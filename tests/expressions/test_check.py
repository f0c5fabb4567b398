"""wfbench.expressions.check: references found statically, and every refusal (the sandbox)."""

from __future__ import annotations

from typing import Any

import pytest
from expression_scope import SANDBOX_SCOPE, error_of, ev

from wfbench.errors import ExpressionError
from wfbench.expressions import (
    Reference,
    parse_template,
)

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
