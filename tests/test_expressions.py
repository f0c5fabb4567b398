"""wfbench.expressions as a whole: properties over any text (each part has its own file)."""

from __future__ import annotations

import json
from typing import Any

from expression_scope import FIXED, SANDBOX_SCOPE, SETTINGS
from hypothesis import given
from hypothesis import strategies as st

from wfbench.errors import ExpressionError
from wfbench.expressions import (
    FUNCTIONS,
    MAX_STRING,
    parse_template,
)

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
