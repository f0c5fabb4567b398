"""Evaluation: a checked tree interpreted over plain data, with an allow-list.

Never ``eval``: each node kind the checker allows has its case here, every
size is checked before a value is built, and recursion is bounded.
"""

from __future__ import annotations

import ast
import json
import operator
from collections.abc import Callable, Mapping
from typing import Any

from wfbench.errors import ExpressionError
from wfbench.expressions.functions import FUNCTIONS
from wfbench.expressions.syntax import Code
from wfbench.expressions.values import (
    ALIASES,
    BINOPS,
    DIVISION_BY_ZERO,
    MAX_INT_BITS,
    MAX_LIST,
    MAX_STRING,
    MAX_TOTAL,
    Clock,
    bounded,
    compare,
    iso,
    kind_of,
    null_hint,
    size_of,
    too_long,
)

_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


def json_key(key: Any) -> Any:
    """An object key as JSON writes it (``null`` → ``"null"``, ``true`` → ``"true"``,
    ``1.5`` → ``"1.5"``), so every later serializer (json, pydantic, the store) agrees."""
    if isinstance(key, str):
        return key
    if isinstance(key, int | float | None):
        return json.dumps(key)
    return key


def _arithmetic(op: type[ast.operator], left: Any, right: Any) -> Any:
    """Number arithmetic; a result that would be huge is refused before it is computed."""
    if (right == 0 and op in (ast.Div, ast.FloorDiv, ast.Mod)) or (
        op is ast.Pow and left == 0 > right
    ):
        raise ExpressionError(DIVISION_BY_ZERO)
    if isinstance(left, int) and isinstance(right, int):
        # A product has at least bits(a) + bits(b) - 1 bits, a power (bits(b) - 1) * e + 1.
        bits = abs(left).bit_length()
        if (op is ast.Mult and bits + abs(right).bit_length() > MAX_INT_BITS + 1) or (
            op is ast.Pow and right > 0 and (bits - 1) * right >= MAX_INT_BITS
        ):
            raise ExpressionError(
                f"the integer result would be too large (over {MAX_INT_BITS} bits)"
            )
    return bounded(_ARITHMETIC[op](left, right))


class Evaluator:
    """Interpret one checked tree over plain data; recursion is bounded by MAX_DEPTH."""

    def __init__(self, expr: Code, scope: Mapping[str, Any], now: Clock | None) -> None:
        self.expr, self.scope, self.now = expr, scope, now
        # Sizes of the containers seen in this run by id; ``keep`` keeps those ids valid.
        self.sizes: dict[int, int] = {}
        self.keep: list[Any] = []

    def eval(self, node: ast.expr) -> Any:
        """Evaluate ``node``; an error that has no position yet gets this node's."""
        try:
            return self._eval(node)
        except ExpressionError as err:
            if err.position is None:
                raise self.expr.error_at(err.message, node) from None
            raise
        except ZeroDivisionError:
            raise self.expr.error_at(DIVISION_BY_ZERO, node) from None
        except OverflowError:
            raise self.expr.error_at("the number is out of range; use smaller ones", node) from None
        except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as err:
            raise self.expr.error_at(f"cannot evaluate this: {str(err)[:200]}", node) from None

    def _eval(self, node: ast.expr) -> Any:
        match node:
            case ast.Constant(value=value):
                return value
            case ast.Name(id=name):
                if name in self.scope or name not in ALIASES:
                    return self._lookup(name)
                return ALIASES[name]
            case ast.Attribute(value=value, attr=attr):
                target = self.eval(value)
                if target is None or isinstance(target, Mapping):
                    return None if target is None else target.get(attr)
                message = f"cannot read attribute '{attr}' of {kind_of(target)}"
                raise ExpressionError(
                    f"{message}; attribute access works on objects (mappings) only"
                )
            case ast.Subscript(value=value, slice=ast.Slice() as bounds):
                return self._slice(self.eval(value), bounds)
            case ast.Subscript(value=value, slice=index):
                return self._index(self.eval(value), self.eval(index), index)
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return not self.eval(operand)
            case ast.UnaryOp(op=op, operand=operand):
                number = self.eval(operand)
                sign = "-" if isinstance(op, ast.USub) else "+"
                if not isinstance(number, int | float):
                    message = f"cannot apply '{sign}' to {kind_of(number)}{null_hint(number)}"
                    raise ExpressionError(message)
                return bounded(-number if sign == "-" else +number)
            case ast.BinOp(left=left, op=op, right=right):
                return self._binop(type(op), self.eval(left), self.eval(right))
            case ast.BoolOp(op=op, values=values):
                for item in values:  # Python semantics: the deciding operand is the value
                    result = self.eval(item)
                    if bool(result) == isinstance(op, ast.Or):
                        return result
                return result
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                current = self.eval(left)
                for cmp, right in zip(ops, comparators, strict=True):
                    following = self.eval(right)
                    if not compare(type(cmp), current, following):
                        return False
                    current = following
                return True
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return self.eval(body) if self.eval(test) else self.eval(orelse)
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                items = [self.eval(e) for e in elts]
                return self._new(len(items), 1 + sum(map(self._measure, items)), lambda: items)
            case ast.Dict(keys=keys, values=values):
                return self._dict(keys, values)
            case ast.Call(func=ast.Name(id=name), args=args):
                values = [self.eval(a) for a in args]
                if name == "now" and self.now is not None and not values:
                    return iso(self.now())  # the one function that reads the injected clock
                return FUNCTIONS[name](*values)
        raise ExpressionError(f"{type(node).__name__} is not allowed in expressions")

    def _lookup(self, name: str) -> Any:
        if name in self.scope:
            return self.scope[name]
        names = ", ".join(sorted(str(n) for n in self.scope)[:30]) or "(none)"
        raise ExpressionError(f"unknown name '{name}'; names in scope are: {names}")

    def _slice(self, target: Any, bounds: ast.Slice) -> Any:
        low, high = (None if b is None else self.eval(b) for b in (bounds.lower, bounds.upper))
        if target is None:
            return None
        if not all(b is None or isinstance(b, int) for b in (low, high)):
            raise self.expr.error_at("slice bounds must be integers", bounds)
        if not isinstance(target, str | list | tuple):
            raise self.expr.error_at(
                f"cannot slice {kind_of(target)}; slices work on text and lists", bounds
            )
        return target[low:high] if isinstance(target, str) else list(target[low:high])

    def _index(self, target: Any, key: Any, index: ast.expr) -> Any:
        if target is None:
            return None
        if isinstance(target, Mapping):
            try:
                return target.get(key) if key in target else target.get(json_key(key))
            except TypeError:
                raise self.expr.error_at(f"an object key cannot be {kind_of(key)}", index) from None
        if not isinstance(target, str | list | tuple):
            raise self.expr.error_at(
                f"cannot index {kind_of(target)}; [ ] works on objects, lists and text", index
            )
        if not isinstance(key, int):
            message = (
                f"cannot index {kind_of(target)} with {kind_of(key)}; "
                "use a whole number such as [0]"
            )
            raise self.expr.error_at(message, index)
        if not -len(target) <= key < len(target):
            message = f"index {key} is out of range for {kind_of(target)} of length {len(target)}"
            raise self.expr.error_at(message, index)
        return target[key]

    def _dict(self, keys: list[ast.expr | None], values: list[ast.expr]) -> dict[Any, Any]:
        built: dict[Any, Any] = {}
        for key_node, value_node in zip(keys, values, strict=True):
            assert key_node is not None  # dict unpacking is refused by check_tree
            key = self.eval(key_node)
            if not isinstance(key, str | int | float | None):
                raise self.expr.error_at(
                    f"object keys must be text or numbers, not {kind_of(key)}", key_node
                )
            built[json_key(key)] = self.eval(value_node)
        size = 1 + sum(self._measure(k) + self._measure(v) for k, v in built.items())
        return self._new(len(built), size, lambda: built)  # type: ignore[no-any-return]

    def _measure(self, value: Any) -> int:
        """The size of ``value`` (see ``size_of``), remembered so each container is walked once."""
        if not isinstance(value, Mapping | list | tuple):
            return 1 + (len(value) if isinstance(value, str) else 0)
        if id(value) not in self.sizes:
            self.sizes[id(value)] = size_of(value, MAX_TOTAL)
            self.keep.append(value)
        return self.sizes[id(value)]

    def _new(self, length: int, size: int, build: Callable[[], Any]) -> Any:
        """Build a list or object only once its length and total size are known to fit."""
        if length > MAX_LIST or size > MAX_TOTAL:
            limits = f"{MAX_LIST:,} items, or {MAX_TOTAL:,} items and characters in all"
            raise ExpressionError(f"the value would be too large (more than {limits})")
        value = build()
        self.sizes[id(value)] = size
        self.keep.append(value)
        return value

    def _binop(self, op: type[ast.operator], left: Any, right: Any) -> Any:
        """Arithmetic, and ``+``/``*`` on text and lists, with sizes checked first."""
        if isinstance(left, int | float) and isinstance(right, int | float):
            return _arithmetic(op, left, right)
        if op is ast.Add and isinstance(left, str) and isinstance(right, str):
            if len(left) + len(right) > MAX_STRING:
                raise too_long()
            return left + right
        if op is ast.Add and isinstance(left, list | tuple) and isinstance(right, list | tuple):
            size = self._measure(left) + self._measure(right) - 1
            return self._new(len(left) + len(right), size, lambda: [*left, *right])
        if op is ast.Mult and isinstance(left, int) != isinstance(right, int):
            sequence, count = (right, left) if isinstance(left, int) else (left, right)
            count = max(count, 0)
            if isinstance(sequence, str):
                if len(sequence) * count > MAX_STRING:
                    raise too_long()
                return sequence * count
            if isinstance(sequence, list | tuple):
                size = 1 + (self._measure(sequence) - 1) * count
                return self._new(len(sequence) * count, size, lambda: list(sequence) * count)
        convert = (
            " (convert with str(), int() or float() first)"
            if str in (type(left), type(right))
            else ""
        )
        message = f"cannot apply '{BINOPS[op]}' to {kind_of(left)} and {kind_of(right)}{convert}"
        raise ExpressionError(message + null_hint(left, right))
