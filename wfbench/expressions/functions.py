"""The function table: every function an expression may call, by signature.

Each entry is registered by its signature (:func:`_function`); the wrapper checks
the argument count and types, so each body only does its work and bounds its
result. Functions must bound what they compute *before* computing it.

The bounds every function shares, checked by the wrapper before any body runs:
no text argument longer than an expression may build (``MAX_STRING``), no
integer argument wider than an operator accepts (``MAX_INT_BITS``). A body
whose cost or result grows with another argument (``round``'s digits,
``keys``' object) bounds that argument itself, first.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from wfbench.errors import ExpressionError
from wfbench.expressions.values import (
    MAX_INT_BITS,
    MAX_LIST,
    MAX_STRING,
    bounded,
    compare,
    iso,
    kind_of,
    null_hint,
    short,
    to_text,
    too_long,
)

_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "str": ((str,), "text"),
    "list": ((list, tuple), "a list"),
    "object": ((Mapping,), "an object"),
    "number": ((int, float), "a number"),
    "int": ((int,), "an integer"),
    "scalar": ((str, int, float), "a number or text"),
    "container": ((str, list, tuple, Mapping), "text, a list or an object"),
}
_TABLE: dict[str, Callable[..., Any]] = {}
# round(x, digits): 10**|digits| is computed for an integer x, so |digits| is bounded; no
# float has more than ~330 meaningful digits and no bounded integer more than 78.
MAX_ROUND_DIGITS = 400


def _shared_bounds(usage: str, args: tuple[Any, ...]) -> None:
    """The operators' bounds, for every argument of every function, before it runs."""
    for arg in args:
        if isinstance(arg, str) and len(arg) > MAX_STRING:
            raise ExpressionError(
                f"{usage}: the text is too long ({len(arg):,} characters, at most "
                f"{MAX_STRING:,}); shorten it first"
            )
        if isinstance(arg, int) and abs(arg).bit_length() > MAX_INT_BITS:
            raise ExpressionError(
                f"{usage}: the integer is too large (more than {MAX_INT_BITS} bits)"
            )


def _function(signature: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function by its signature, e.g. ``"join(items: list, separator: str='')"``.

    The registered wrapper checks the argument count and each annotated argument's type
    against the signature, so each body only does its work and bounds its result.
    """
    name, _, rest = signature.partition("(")
    params = [p for p in rest.rstrip(")").split(", ") if p]
    kinds = [p.split("=")[0].partition(": ")[::2] for p in params]  # (name, type or "")
    usage = re.sub(r": \w+", "", signature)  # as messages show it: join(items, separator='')
    low = sum("=" not in p and "*" not in p for p in params)
    high = None if "*" in rest else len(params)

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        def checked(*args: Any) -> Any:
            if len(args) < low or (high is not None and len(args) > high):
                count = f"{low}" if high == low else f"{low} to {high}" if high else f"{low}+"
                raise ExpressionError(f"{usage} takes {count} argument(s), got {len(args)}")
            for (param, kind), arg in zip(kinds, args, strict=False):
                if kind and not isinstance(arg, _TYPES[kind][0]):
                    wanted = f"{usage}: {param} must be {_TYPES[kind][1]}"
                    raise ExpressionError(f"{wanted}, got {kind_of(arg)}{null_hint(arg)}")
            _shared_bounds(usage, args)
            return impl(*args)

        checked.__name__ = checked.__qualname__ = name
        checked.__doc__ = f"{usage} (a wfbench expression function)"
        _TABLE[name] = checked
        return impl

    return register


_function("lower(text: str)")(lambda text: short(text.lower()))
_function("upper(text: str)")(lambda text: short(text.upper()))
_function("strip(text: str)")(str.strip)
_function("startswith(text: str, prefix: str)")(str.startswith)
_function("endswith(text: str, suffix: str)")(str.endswith)
_function("default(value, fallback)")(lambda value, fallback: fallback if value is None else value)
_function("str(value)")(to_text)
_function("bool(value)")(bool)
_function("abs(x: number)")(lambda x: bounded(abs(x)))
_function("keys(obj: object)")(lambda obj: list(_few(obj, "keys").keys()))
_function("values(obj: object)")(lambda obj: list(_few(obj, "values").values()))
_function("now()")(lambda: iso(datetime.now(UTC)))


def _few(obj: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """``obj`` if a list of its keys fits the list bound (checked before the list is built)."""
    if len(obj) > MAX_LIST:
        raise ExpressionError(f"{name}() would give more than {MAX_LIST:,} items")
    return obj


@_function("len(value)")
def _len(value: Any) -> int:
    if value is None:
        return 0
    if not isinstance(value, str | list | tuple | Mapping):
        raise ExpressionError(
            f"len(value): value must be text, a list or an object, got {kind_of(value)}"
        )
    return len(value)


@_function("contains(container: container, item)")
def _contains(container: Any, item: Any) -> bool:
    return compare(ast.In, item, container)


@_function("join(items: list, separator: str='')")
def _join(items: Any, separator: str = "") -> str:
    pieces, total = [], 0
    for item in items:  # stop early: the list may be long and each item rendered
        pieces.append(to_text(item))
        total += len(pieces[-1]) + len(separator)
        if total > MAX_STRING + len(separator):
            raise too_long()
    return separator.join(pieces)


@_function("split(text: str, separator: str=spaces)")
def _split(text: str, separator: str | None = None) -> list[str]:
    if separator == "":
        raise ExpressionError("split() needs a non-empty separator; omit it to split on spaces")
    parts = text.split(separator, MAX_LIST)
    if len(parts) > MAX_LIST:
        raise ExpressionError(f"split() would give more than {MAX_LIST:,} items")
    return parts


@_function("int(value: scalar)")
def _int(value: Any) -> int:
    if isinstance(value, str):
        if len(value.strip()) > 100:  # 2**256 has 78 digits; huge texts are slow to convert
            raise ExpressionError(f"int() cannot convert text this long ({len(value):,} chars)")
        try:
            value = int(value.strip())
        except ValueError:
            raise ExpressionError(f"int() cannot convert {value[:40]!r} to an integer") from None
    return int(bounded(int(value)))


@_function("float(value: scalar)")
def _float(value: Any) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ExpressionError(f"float() cannot convert {value[:40]!r} to a number") from None
    return float(bounded(float(value)))


def _extreme(name: str, pick: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    values = args[0] if len(args) == 1 else args
    if not isinstance(values, list | tuple) or not values:
        raise ExpressionError(f"{name}() needs a non-empty list or several values")
    try:
        return pick(values)
    except TypeError:
        raise ExpressionError(f"{name}() needs all numbers or all text to compare") from None


_function("min(*values)")(lambda *args: _extreme("min", min, args))
_function("max(*values)")(lambda *args: _extreme("max", max, args))


@_function("sum(values: list)")
def _sum(values: Any) -> Any:
    total: Any = 0
    for item in values:
        if not isinstance(item, int | float):
            raise ExpressionError(f"sum() needs a list of numbers, found {kind_of(item)}")
        total = bounded(total + item)
    return total


@_function("round(x: number, digits: int=0)")
def _round(x: Any, *digits: int) -> Any:
    if digits:
        check_round_digits(digits[0])
    return bounded(round(x, *digits))


def check_round_digits(digits: object) -> None:
    """Refuse a ``digits`` for which round() would compute 10**|digits| (also used at save)."""
    if isinstance(digits, int) and abs(digits) > MAX_ROUND_DIGITS:
        raise ExpressionError(
            f"round(x, digits): digits must be between -{MAX_ROUND_DIGITS} "
            f"and {MAX_ROUND_DIGITS}, got {digits}"
        )


FUNCTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType(_TABLE)
FUNCTION_NAMES = ", ".join(sorted(FUNCTIONS))
