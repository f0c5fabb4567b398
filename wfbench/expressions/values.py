"""Plain values as expressions see them: limits, kinds, bounds, text, comparison.

Every size that could grow (integers, text, lists, whole built values) is
bounded here, and the checks run *before* the work is done.
"""

from __future__ import annotations

import ast
import json
import math
import operator
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from wfbench.errors import ExpressionError

MAX_SOURCE = 4096
MAX_STRING = 100_000
MAX_LIST = 10_000
MAX_INT_BITS = 256
MAX_DEPTH = 32
# Lists may share items ([[x] * 100] * 100), so per-list bounds alone do not bound what
# storing or rendering a built value costs: this bounds its total size (see size_of).
MAX_TOTAL = 1_000_000

Clock = Callable[[], datetime]
ALIASES: dict[str, Any] = {"true": True, "false": False, "null": None}
DIVISION_BY_ZERO = "division by zero; make sure the divisor is not 0"
_NULL_HINT = "; wrap it in default(x, fallback) where it may be null"
BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//"}
BINOPS |= {ast.Mod: "%", ast.Pow: "**"}
_ORDER = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
CMP |= {ast.In: "in", ast.NotIn: "not in"}
_KINDS: tuple[tuple[Any, str], ...] = (
    *((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string")),
    *((Mapping, "an object"), ((list, tuple), "a list")),
)


def kind_of(value: Any) -> str:
    """Name a value's type the way a workflow author sees it (JSON terms)."""
    if value is None:
        return "null"
    return next((n for t, n in _KINDS if isinstance(value, t)), f"a {type(value).__name__}")


def null_hint(*values: Any) -> str:
    return _NULL_HINT if any(v is None for v in values) else ""


def bounded(value: Any) -> Any:
    """Refuse numbers outside the bounds, so that later arithmetic stays cheap."""
    if isinstance(value, int) and abs(value).bit_length() > MAX_INT_BITS:
        raise ExpressionError(f"the integer is too large (more than {MAX_INT_BITS} bits)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ExpressionError("the number is out of range (infinite or not a number)")
    if isinstance(value, complex):
        raise ExpressionError("the result is not a real number; check the base and exponent")
    return value


def too_long() -> ExpressionError:
    return ExpressionError(f"the text would be longer than {MAX_STRING:,} characters")


def short(text: str) -> str:
    if len(text) > MAX_STRING:
        raise too_long()
    return text


def size_of(value: Any, limit: int) -> int:
    """Count one unit per value and per character, stopping once past ``limit``.

    JSON is never shorter than this count, so it also bounds what rendering costs.
    """
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        total += 1 + (len(item) if isinstance(item, str) else 0)
        if isinstance(item, Mapping):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple):
            stack += item
    return total


def to_text(value: Any) -> str:
    """Render a value inside text: null is empty, booleans true/false, containers JSON."""
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, Mapping | list | tuple):
        return short(str(value))
    if size_of(value, MAX_STRING) > MAX_STRING:
        raise too_long()
    return short(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))


def iso(moment: Any) -> str:
    if not isinstance(moment, datetime):
        raise ExpressionError(f"the clock gave {kind_of(moment)}, not a datetime")
    return (
        moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    ).isoformat()


def compare(op: type[ast.cmpop], left: Any, right: Any) -> bool:
    symbol = CMP[op]
    if op is ast.Eq or op is ast.NotEq:
        return bool(left == right) == (op is ast.Eq)
    if op is ast.In or op is ast.NotIn:
        if isinstance(right, str) and not isinstance(left, str):
            raise ExpressionError(f"'{symbol}' on text needs text on the left, got {kind_of(left)}")
        if not isinstance(right, str | list | tuple | Mapping):
            message = f"'{symbol}' needs text, a list or an object on the right"
            raise ExpressionError(f"{message}, got {kind_of(right)}{null_hint(right)}")
        try:
            found = left in right
        except TypeError:  # an unhashable value is no object's key
            found = False
        return found == (op is ast.In)
    try:
        return bool(_ORDER[op](left, right))
    except TypeError:
        message = f"cannot compare {kind_of(left)} with {kind_of(right)} using '{symbol}'"
        raise ExpressionError(
            message + f"; compare numbers or text{null_hint(left, right)}"
        ) from None
