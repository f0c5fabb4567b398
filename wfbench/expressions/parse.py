"""Templates: a field's text split into literal pieces and parsed ``{{ … }}`` expressions.

Each field is parsed once (results are cached: the same text is parsed often)
with ``ast.parse(mode="eval")`` and checked (:mod:`~wfbench.expressions.check`)
before an :class:`Expression` exists; evaluating one interprets its tree
(:mod:`~wfbench.expressions.evaluate`).
"""

from __future__ import annotations

import ast
import functools
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wfbench.errors import ExpressionError
from wfbench.expressions.check import Reference, check_tree, collect
from wfbench.expressions.evaluate import Evaluator
from wfbench.expressions.syntax import Code, char_offset
from wfbench.expressions.values import (
    MAX_DEPTH,
    MAX_SOURCE,
    MAX_STRING,
    Clock,
    kind_of,
    to_text,
    too_long,
)

_PARSE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Expression(Code):
    """One parsed and checked ``{{ … }}``; ``source`` is the text between the braces."""

    def references(self) -> list[Reference]:
        """Every ``name.path`` this expression reads, in source order."""
        return list(self._references)

    @functools.cached_property
    def _references(self) -> tuple[Reference, ...]:
        # Parsed expressions are cached and shared, so their references are found once.
        found: list[Reference] = []
        collect(self, self.tree.body, False, found)
        return tuple(sorted(found, key=lambda ref: ref.position))

    def evaluate(self, scope: Mapping[str, Any], *, now: Clock | None = None) -> Any:
        """The value over ``scope``; ``now`` is the clock ``now()`` reads (default: UTC now)."""
        try:
            return Evaluator(self, scope, now).eval(self.tree.body)
        except ExpressionError:
            raise
        except Exception as err:  # a safety net: nothing else may escape, whatever the scope
            message = f"cannot evaluate this: {type(err).__name__}: {str(err)[:200]}"
            raise ExpressionError(message, position=self._base, source=self._text) from None

    def _render(self, scope: Mapping[str, Any], now: Clock | None) -> str:
        value = self.evaluate(scope, now=now)
        try:
            return to_text(value)
        except Exception as err:  # too long, or a value json cannot write
            message = getattr(err, "message", f"cannot render the value: {str(err)[:200]}")
            raise ExpressionError(message, position=self._base, source=self._text) from None


@dataclass(frozen=True)
class Template:
    """A field's whole text: literal pieces and expressions, in order."""

    source: str
    parts: tuple[str | Expression, ...]

    @property
    def single(self) -> bool:
        """True when the text is exactly one ``{{ … }}``, so its value keeps its type."""
        return len(self.parts) == 1 and isinstance(self.parts[0], Expression)

    def references(self) -> list[Reference]:
        return [ref for p in self.parts if isinstance(p, Expression) for ref in p.references()]

    def evaluate(self, scope: Mapping[str, Any], *, now: Clock | None = None) -> Any:
        """A single expression's value as it is; otherwise text with each value rendered."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Expression):
            return self.parts[0].evaluate(scope, now=now)
        pieces: list[str] = []
        total = 0
        for part in self.parts:
            pieces.append(part if isinstance(part, str) else part._render(scope, now))
            total += len(pieces[-1])
            if total > MAX_STRING:
                at = part._base if isinstance(part, Expression) else 0
                raise ExpressionError(too_long().message, position=at, source=self.source)
        return "".join(pieces)


def _closing(text: str, start: int) -> int:
    """The index of the ``}}`` that ends the expression starting at ``start``, or -1.

    Brackets and quotes are tracked so ``{{ {'a': {'b': 1}} }}`` and ``{{ '}}' }}`` work;
    if they never balance, the first ``}}`` is used and the parser reports the problem.
    """
    depth, quote, i = 0, "", start
    while i < len(text):
        char = text[i]
        if quote:
            i += char == "\\"
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if char == "}" and depth == 0 and text.startswith("}}", i):
                return i
            depth = max(depth - 1, 0)
        i += 1
    return text.find("}}", start)


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Template:
    if len(text) > MAX_SOURCE:
        message = f"the field is too long ({len(text):,} characters, at most {MAX_SOURCE:,})"
        raise ExpressionError(message + "; shorten it", position=0, source=text, code="expr.unsafe")
    parts: list[str | Expression] = []
    done = 0  # just after the last "}}"
    while (start := text.find("{{", done)) >= 0:
        end = _closing(text, start + 2)
        if end < 0:
            message = "'{{' is never closed; add '}}' after the expression"
            raise ExpressionError(message, position=start, source=text, code="expr.syntax")
        parts += [text[done:start]] if start > done else []
        parts.append(_parse_expression(text, start + 2, end))
        done = end + 2
    parts += [text[done:]] if done < len(text) else []
    return Template(text, tuple(parts))


def _parse_expression(text: str, start: int, end: int) -> Expression:
    """Parse and check ``text[start:end]``, the part between ``{{`` and ``}}``."""
    source = text[start:end]
    code = source.strip()  # eval mode refuses leading whitespace ("unexpected indent")
    base = start + len(source) - len(source.lstrip())

    def fail(message: str, position: int, code: str = "expr.syntax") -> ExpressionError:
        at = max(start - 2, min(position, end))
        return ExpressionError(message, position=at, source=text, code=code)

    if not code:
        raise fail(
            "empty expression; write one between the braces, e.g. {{ input.name }}", start - 2
        )
    if "\0" in code:  # the parser would only say "null bytes", not where
        raise fail("the expression holds a NUL character; remove it", base + code.find("\0"))
    try:
        # Some odd inputs ("1if x else 2") make the parser warn; keep notebooks quiet.
        # catch_warnings swaps global state, hence the lock.
        with _PARSE_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code, mode="eval")
    except SyntaxError as err:
        at = base + len(code)  # errors at the end of the input have no column
        if err.lineno and err.offset:
            at = base + char_offset(code, err.lineno, err.offset - 1, in_bytes=False)
        raise fail(f"invalid expression: {err.msg}; fix the syntax here", at) from None
    except UnicodeError as err:  # lone surrogates
        at = base + getattr(err, "start", 0)
        raise fail(
            "the expression holds a character that is not valid text; remove it", at
        ) from None
    except (RecursionError, MemoryError):
        raise fail(
            f"the expression is nested too deeply (at most {MAX_DEPTH} levels)", base, "expr.unsafe"
        ) from None
    except (ValueError, OverflowError) as err:
        raise fail(f"the expression cannot be parsed: {err}", base) from None
    expression = Expression(source, start, tree, text, base)
    try:
        check_tree(expression, tree.body, 1)
    except ExpressionError as err:
        err.code = "expr.unsafe"
        raise
    return expression


def is_template(value: object) -> bool:
    """True for text holding ``{{``: text that must be parsed and evaluated."""
    return isinstance(value, str) and "{{" in value


def parse_template(text: str) -> Template:
    """Parse a field's text; results are cached because the same text is parsed often."""
    if not isinstance(text, str):
        raise ExpressionError(f"a template must be text, got {kind_of(text)}", position=0)
    if "{{" not in text:  # plain text: nothing to parse, and not worth a cache slot
        return Template(text, (text,))
    return _parse_cached(text)


def render(value: Any, scope: Mapping[str, Any], *, now: Clock | None = None) -> Any:
    """Evaluate every template in ``value``: dict values and list items, recursively."""
    if isinstance(value, str):
        return parse_template(value).evaluate(scope, now=now) if "{{" in value else value
    if isinstance(value, Mapping):
        return {key: render(item, scope, now=now) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, scope, now=now) for item in value]
    return value
