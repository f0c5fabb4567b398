"""``{{ … }}`` expressions: a small, safe subset of Python expression syntax.

Workflow files are shared, imported and reviewed, so an expression must never reach
Python objects beyond the plain data it is given, nor use unbounded time or memory.
That is why nothing here calls ``eval``: each field is parsed once with
``ast.parse(mode="eval")``, every node is checked against an allow-list, and the tree
is then interpreted over plain data (mappings, lists, text, numbers). Every size that
could grow (integers, text, lists, whole built values) is checked *before* the work is
done, so ``9 ** 9 ** 9`` is refused in microseconds.

Nothing but :class:`~wfbench.errors.ExpressionError` escapes parsing or evaluation, and
each error carries the 0-based character position in the whole field text.
"""

from __future__ import annotations

import ast
import functools
import json
import math
import operator
import re
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from wfbench.errors import ExpressionError

MAX_SOURCE = 4096
MAX_STRING = 100_000
MAX_LIST = 10_000
MAX_INT_BITS = 256
MAX_DEPTH = 32
# Lists may share items ([[x] * 100] * 100), so per-list bounds alone do not bound what
# storing or rendering a built value costs: this bounds its total size (see _size).
_MAX_TOTAL = 1_000_000

_Clock = Callable[[], datetime]
_PARSE_LOCK = threading.Lock()
_ALIASES: dict[str, Any] = {"true": True, "false": False, "null": None}
_DIVISION_BY_ZERO = "division by zero; make sure the divisor is not 0"
_NULL_HINT = "; wrap it in default(x, fallback) where it may be null"
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//"}
_BINOPS |= {ast.Mod: "%", ast.Pow: "**"}
_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_ORDER = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_CMP |= {ast.In: "in", ast.NotIn: "not in"}
_ALLOWED: tuple[type[ast.AST], ...] = (
    *(ast.Constant, ast.Name, ast.Attribute, ast.Subscript, ast.Slice, ast.UnaryOp, ast.BinOp),
    *(ast.BoolOp, ast.Compare, ast.IfExp, ast.List, ast.Tuple, ast.Dict, ast.Call),
)
_OPERATORS = "allowed operators are + - * / // % **, comparisons, and, or, not"
_COMPREHENSION = "comprehensions are not allowed; use a loop step to process each item"
_REFUSED: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda is not allowed; expressions cannot define functions",
    ast.ListComp: _COMPREHENSION,
    ast.SetComp: _COMPREHENSION,
    ast.DictComp: _COMPREHENSION,
    ast.GeneratorExp: _COMPREHENSION,
    ast.Set: "set literals are not allowed; use a list [a, b] instead",
    ast.JoinedStr: "f-strings are not allowed; put {{ }} expressions in the text instead",
    ast.NamedExpr: "assignment (:=) is not allowed; expressions cannot set names",
    ast.Starred: "unpacking with * is not allowed; pass each value on its own",
    ast.Await: "'await' is not allowed in expressions",
    ast.Yield: "'yield' is not allowed in expressions",
    ast.YieldFrom: "'yield' is not allowed in expressions",
}
_KINDS: tuple[tuple[Any, str], ...] = (
    *((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string")),
    *((Mapping, "an object"), ((list, tuple), "a list")),
)


def _kind(value: Any) -> str:
    """Name a value's type the way a workflow author sees it (JSON terms)."""
    if value is None:
        return "null"
    return next((n for t, n in _KINDS if isinstance(value, t)), f"a {type(value).__name__}")


def _null_hint(*values: Any) -> str:
    return _NULL_HINT if any(v is None for v in values) else ""


def _bounded(value: Any) -> Any:
    """Refuse numbers outside the bounds, so that later arithmetic stays cheap."""
    if isinstance(value, int) and abs(value).bit_length() > MAX_INT_BITS:
        raise ExpressionError(f"the integer is too large (more than {MAX_INT_BITS} bits)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ExpressionError("the number is out of range (infinite or not a number)")
    if isinstance(value, complex):
        raise ExpressionError("the result is not a real number; check the base and exponent")
    return value


def _too_long() -> ExpressionError:
    return ExpressionError(f"the text would be longer than {MAX_STRING:,} characters")


def _short(text: str) -> str:
    if len(text) > MAX_STRING:
        raise _too_long()
    return text


def _size(value: Any, limit: int) -> int:
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


def _to_text(value: Any) -> str:
    """Render a value inside text: null is empty, booleans true/false, containers JSON."""
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, Mapping | list | tuple):
        return _short(str(value))
    if _size(value, MAX_STRING) > MAX_STRING:
        raise _too_long()
    return _short(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))


def _iso(moment: Any) -> str:
    if not isinstance(moment, datetime):
        raise ExpressionError(f"the clock gave {_kind(moment)}, not a datetime")
    return (
        moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    ).isoformat()


# --- the function table ---------------------------------------------------------------

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
                    raise ExpressionError(f"{wanted}, got {_kind(arg)}{_null_hint(arg)}")
            return impl(*args)

        checked.__name__ = checked.__qualname__ = name
        checked.__doc__ = f"{usage} (a wfbench expression function)"
        _TABLE[name] = checked
        return impl

    return register


_function("lower(text: str)")(lambda text: _short(text.lower()))
_function("upper(text: str)")(lambda text: _short(text.upper()))
_function("strip(text: str)")(str.strip)
_function("startswith(text: str, prefix: str)")(str.startswith)
_function("endswith(text: str, suffix: str)")(str.endswith)
_function("default(value, fallback)")(lambda value, fallback: fallback if value is None else value)
_function("str(value)")(_to_text)
_function("bool(value)")(bool)
_function("abs(x: number)")(lambda x: _bounded(abs(x)))
_function("keys(obj: object)")(lambda obj: list(obj.keys()))
_function("values(obj: object)")(lambda obj: list(obj.values()))
_function("now()")(lambda: _iso(datetime.now(UTC)))


@_function("len(value)")
def _len(value: Any) -> int:
    if value is None:
        return 0
    if not isinstance(value, str | list | tuple | Mapping):
        raise ExpressionError(
            f"len(value): value must be text, a list or an object, got {_kind(value)}"
        )
    return len(value)


@_function("contains(container: container, item)")
def _contains(container: Any, item: Any) -> bool:
    return _compare(ast.In, item, container)


@_function("join(items: list, separator: str='')")
def _join(items: Any, separator: str = "") -> str:
    pieces, total = [], 0
    for item in items:  # stop early: the list may be long and each item rendered
        pieces.append(_to_text(item))
        total += len(pieces[-1]) + len(separator)
        if total > MAX_STRING + len(separator):
            raise _too_long()
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
    return int(_bounded(int(value)))


@_function("float(value: scalar)")
def _float(value: Any) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ExpressionError(f"float() cannot convert {value[:40]!r} to a number") from None
    return float(_bounded(float(value)))


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
            raise ExpressionError(f"sum() needs a list of numbers, found {_kind(item)}")
        total = _bounded(total + item)
    return total


@_function("round(x: number, digits: int=0)")
def _round(x: Any, *digits: int) -> Any:
    return _bounded(round(x, *digits))


FUNCTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType(_TABLE)
_FUNCTION_NAMES = ", ".join(sorted(FUNCTIONS))


# --- public types ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A static read such as ``steps.user.output.groups[0]``, found without evaluating."""

    root: str
    path: tuple[str | int, ...]
    position: int
    guarded: bool


@dataclass(frozen=True)
class Expression:
    """One parsed and checked ``{{ … }}``; ``source`` is the text between the braces."""

    source: str
    offset: int
    tree: ast.Expression = field(repr=False, compare=False)
    _text: str = field(default="", repr=False, compare=False)  # the whole field text
    _base: int = field(default=0, repr=False, compare=False)  # where the parsed code starts

    def _position(self, node: ast.AST) -> int:
        """The character offset of ``node`` in the field text (an attribute: of its name)."""
        line, column = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        position = self._base + _char_offset(self.source.strip(), line, column)
        if isinstance(node, ast.Attribute) and node.end_lineno and node.end_col_offset:
            end = _char_offset(self.source.strip(), node.end_lineno, node.end_col_offset)
            position = max(position, self._base + end - len(node.attr))
        return position

    def _error(self, message: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(message, position=self._position(node), source=self._text)

    def references(self) -> list[Reference]:
        """Every ``name.path`` this expression reads, in source order."""
        return list(self._references)

    @functools.cached_property
    def _references(self) -> tuple[Reference, ...]:
        # Parsed expressions are cached and shared, so their references are found once.
        found: list[Reference] = []
        _collect(self, self.tree.body, False, found)
        return tuple(sorted(found, key=lambda ref: ref.position))

    def evaluate(self, scope: Mapping[str, Any], *, now: _Clock | None = None) -> Any:
        """The value over ``scope``; ``now`` is the clock ``now()`` reads (default: UTC now)."""
        try:
            return _Evaluator(self, scope, now).eval(self.tree.body)
        except ExpressionError:
            raise
        except Exception as err:  # a safety net: nothing else may escape, whatever the scope
            message = f"cannot evaluate this: {type(err).__name__}: {str(err)[:200]}"
            raise ExpressionError(message, position=self._base, source=self._text) from None

    def _render(self, scope: Mapping[str, Any], now: _Clock | None) -> str:
        value = self.evaluate(scope, now=now)
        try:
            return _to_text(value)
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

    def evaluate(self, scope: Mapping[str, Any], *, now: _Clock | None = None) -> Any:
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
                raise ExpressionError(_too_long().message, position=at, source=self.source)
        return "".join(pieces)


# --- parsing and checking -------------------------------------------------------------


def _char_offset(code: str, lineno: int, col: int, *, in_bytes: bool = True) -> int:
    """Turn an ast (line, column) into a character offset in ``code``.

    Node columns count UTF-8 bytes on their line (SyntaxError columns count characters),
    so a line with ``é`` before the node would otherwise be off.
    """
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", code)]
    start = starts[min(max(lineno, 1), len(starts)) - 1]
    if not in_bytes:
        return min(start + col, len(code))
    line = code[start:].encode("utf-8", "surrogatepass")[:col]
    return start + len(line.decode("utf-8", "ignore"))


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
            at = base + _char_offset(code, err.lineno, err.offset - 1, in_bytes=False)
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
        _check(expression, tree.body, 1)
    except ExpressionError as err:
        err.code = "expr.unsafe"
        raise
    return expression


def _problem(node: ast.AST) -> tuple[str, ast.AST] | None:
    """What is refused about one allowed kind of node, and where; None if nothing."""
    refuse_private = "starting with '_' are not allowed (dunder and private names are refused)"
    match node:
        case ast.Constant(value=value) if not isinstance(value, str | int | float | None):
            return "only text, numbers, true, false and null literals are allowed", node
        case ast.Constant(value=int() | float() as number):
            try:
                _bounded(number)
            except ExpressionError as err:
                return err.message + "; write a smaller number", node
        case ast.Name(id=name) if name.startswith("_"):
            return f"names {refuse_private}; use a plain field name", node
        case ast.Attribute(attr=attr) if attr.startswith("_"):
            return f"attribute names {refuse_private}; use a plain field name", node
        case ast.Slice(step=ast.expr() as step):
            return "slice steps are not allowed; use [start:stop]", step
        case ast.UnaryOp(op=ast.Invert()):
            return f"the operator '~' is not allowed; {_OPERATORS}", node
        case ast.BinOp(op=op) if type(op) not in _BINOPS:
            return f"bitwise and matrix operators are not allowed; {_OPERATORS}", node
        case ast.Compare(ops=ops) if any(isinstance(op, ast.Is | ast.IsNot) for op in ops):
            return "'is' and 'is not' are not allowed; use == null or != null instead", node
        case ast.Dict(keys=keys) if None in keys:
            return "dict unpacking (**) is not allowed; write each key", node
        case ast.Call(func=ast.Name(id=name)) if name not in FUNCTIONS:
            return f"unknown function '{name}'; the functions are: {_FUNCTION_NAMES}", node
        case ast.Call(func=func) if not isinstance(func, ast.Name):
            message = "only functions can be called, by name: methods do not exist, so write"
            return f"{message} upper(x), not x.upper(); the functions are: {_FUNCTION_NAMES}", node
        case ast.Call(keywords=[keyword, *_]):
            return "keyword arguments are not allowed; pass arguments by position", keyword
    return None


def _check(expr: Expression, node: ast.AST, depth: int) -> None:
    """Refuse, before anything runs, every construct outside the allow-list."""
    if depth > MAX_DEPTH:
        raise expr._error(f"the expression is nested too deeply (at most {MAX_DEPTH} levels)", node)
    if not isinstance(node, _ALLOWED):
        message = _REFUSED.get(type(node), f"{type(node).__name__} is not allowed in expressions")
        raise expr._error(message, node)
    if problem := _problem(node):
        raise expr._error(*problem)
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):  # not operators, contexts (and no keywords: refused)
            _check(expr, child, depth + 1)


def _static_key(node: ast.expr) -> str | int | None:
    """The constant key of ``a['k']``, ``a[0]`` or ``a[-1]``; None if it is computed."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        key = _static_key(node.operand)
        return -key if isinstance(key, int) else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int):
        return None if isinstance(node.value, bool) else node.value
    return None


def _collect(expr: Expression, node: ast.AST, guarded: bool, out: list[Reference]) -> None:
    """Find every chain ``name(.attr | [constant])*``; a computed key ends the static path."""
    if isinstance(node, ast.Call):  # the function's name is not a reference
        is_default = isinstance(node.func, ast.Name) and node.func.id == "default"
        for i, arg in enumerate(node.args):
            _collect(expr, arg, guarded or (is_default and i == 0), out)
        return
    if not isinstance(node, ast.Name | ast.Attribute | ast.Subscript):
        for child in ast.iter_child_nodes(node):
            _collect(expr, child, guarded, out)
        return
    accessors: list[ast.Attribute | ast.Subscript] = []
    base: ast.expr = node
    while isinstance(base, ast.Attribute | ast.Subscript):
        accessors.insert(0, base)
        base = base.value
    path: list[str | int] = []
    static = True
    for accessor in accessors:
        key = accessor.attr if isinstance(accessor, ast.Attribute) else _static_key(accessor.slice)
        if key is None and isinstance(accessor, ast.Subscript):
            _collect(expr, accessor.slice, guarded, out)
        static = static and key is not None
        path += [key] if static and key is not None else []
    if not isinstance(base, ast.Name):
        _collect(expr, base, guarded, out)
    elif base.id not in _ALIASES:
        out.append(Reference(base.id, tuple(path), expr._position(base), guarded))


# --- evaluation -----------------------------------------------------------------------


def _arithmetic(op: type[ast.operator], left: Any, right: Any) -> Any:
    """Number arithmetic; a result that would be huge is refused before it is computed."""
    if (right == 0 and op in (ast.Div, ast.FloorDiv, ast.Mod)) or (
        op is ast.Pow and left == 0 > right
    ):
        raise ExpressionError(_DIVISION_BY_ZERO)
    if isinstance(left, int) and isinstance(right, int):
        # A product has at least bits(a) + bits(b) - 1 bits, a power (bits(b) - 1) * e + 1.
        bits = abs(left).bit_length()
        if (op is ast.Mult and bits + abs(right).bit_length() > MAX_INT_BITS + 1) or (
            op is ast.Pow and right > 0 and (bits - 1) * right >= MAX_INT_BITS
        ):
            raise ExpressionError(
                f"the integer result would be too large (over {MAX_INT_BITS} bits)"
            )
    return _bounded(_ARITHMETIC[op](left, right))


def _compare(op: type[ast.cmpop], left: Any, right: Any) -> bool:
    symbol = _CMP[op]
    if op is ast.Eq or op is ast.NotEq:
        return bool(left == right) == (op is ast.Eq)
    if op is ast.In or op is ast.NotIn:
        if isinstance(right, str) and not isinstance(left, str):
            raise ExpressionError(f"'{symbol}' on text needs text on the left, got {_kind(left)}")
        if not isinstance(right, str | list | tuple | Mapping):
            message = f"'{symbol}' needs text, a list or an object on the right"
            raise ExpressionError(f"{message}, got {_kind(right)}{_null_hint(right)}")
        try:
            found = left in right
        except TypeError:  # an unhashable value is no object's key
            found = False
        return found == (op is ast.In)
    try:
        return bool(_ORDER[op](left, right))
    except TypeError:
        message = f"cannot compare {_kind(left)} with {_kind(right)} using '{symbol}'"
        raise ExpressionError(
            message + f"; compare numbers or text{_null_hint(left, right)}"
        ) from None


class _Evaluator:
    """Interpret one checked tree over plain data; recursion is bounded by MAX_DEPTH."""

    def __init__(self, expr: Expression, scope: Mapping[str, Any], now: _Clock | None) -> None:
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
                raise self.expr._error(err.message, node) from None
            raise
        except ZeroDivisionError:
            raise self.expr._error(_DIVISION_BY_ZERO, node) from None
        except OverflowError:
            raise self.expr._error("the number is out of range; use smaller ones", node) from None
        except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as err:
            raise self.expr._error(f"cannot evaluate this: {str(err)[:200]}", node) from None

    def _eval(self, node: ast.expr) -> Any:
        match node:
            case ast.Constant(value=value):
                return value
            case ast.Name(id=name):
                if name in self.scope or name not in _ALIASES:
                    return self._lookup(name)
                return _ALIASES[name]
            case ast.Attribute(value=value, attr=attr):
                target = self.eval(value)
                if target is None or isinstance(target, Mapping):
                    return None if target is None else target.get(attr)
                message = f"cannot read attribute '{attr}' of {_kind(target)}"
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
                    message = f"cannot apply '{sign}' to {_kind(number)}{_null_hint(number)}"
                    raise ExpressionError(message)
                return _bounded(-number if sign == "-" else +number)
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
                    if not _compare(type(cmp), current, following):
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
                    return _iso(self.now())  # the one function that reads the injected clock
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
            raise self.expr._error("slice bounds must be integers", bounds)
        if not isinstance(target, str | list | tuple):
            raise self.expr._error(
                f"cannot slice {_kind(target)}; slices work on text and lists", bounds
            )
        return target[low:high] if isinstance(target, str) else list(target[low:high])

    def _index(self, target: Any, key: Any, index: ast.expr) -> Any:
        if target is None:
            return None
        if isinstance(target, Mapping):
            try:
                return target.get(key)
            except TypeError:
                raise self.expr._error(f"an object key cannot be {_kind(key)}", index) from None
        if not isinstance(target, str | list | tuple):
            raise self.expr._error(
                f"cannot index {_kind(target)}; [ ] works on objects, lists and text", index
            )
        if not isinstance(key, int):
            message = (
                f"cannot index {_kind(target)} with {_kind(key)}; use a whole number such as [0]"
            )
            raise self.expr._error(message, index)
        if not -len(target) <= key < len(target):
            message = f"index {key} is out of range for {_kind(target)} of length {len(target)}"
            raise self.expr._error(message, index)
        return target[key]

    def _dict(self, keys: list[ast.expr | None], values: list[ast.expr]) -> dict[Any, Any]:
        built: dict[Any, Any] = {}
        for key_node, value_node in zip(keys, values, strict=True):
            assert key_node is not None  # dict unpacking is refused by _check
            key = self.eval(key_node)
            if not isinstance(key, str | int | float | None):
                raise self.expr._error(
                    f"object keys must be text or numbers, not {_kind(key)}", key_node
                )
            built[key] = self.eval(value_node)
        size = 1 + sum(self._measure(k) + self._measure(v) for k, v in built.items())
        return self._new(len(built), size, lambda: built)  # type: ignore[no-any-return]

    def _measure(self, value: Any) -> int:
        """The size of ``value`` (see ``_size``), remembered so each container is walked once."""
        if not isinstance(value, Mapping | list | tuple):
            return 1 + (len(value) if isinstance(value, str) else 0)
        if id(value) not in self.sizes:
            self.sizes[id(value)] = _size(value, _MAX_TOTAL)
            self.keep.append(value)
        return self.sizes[id(value)]

    def _new(self, length: int, size: int, build: Callable[[], Any]) -> Any:
        """Build a list or object only once its length and total size are known to fit."""
        if length > MAX_LIST or size > _MAX_TOTAL:
            limits = f"{MAX_LIST:,} items, or {_MAX_TOTAL:,} items and characters in all"
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
                raise _too_long()
            return left + right
        if op is ast.Add and isinstance(left, list | tuple) and isinstance(right, list | tuple):
            size = self._measure(left) + self._measure(right) - 1
            return self._new(len(left) + len(right), size, lambda: [*left, *right])
        if op is ast.Mult and isinstance(left, int) != isinstance(right, int):
            sequence, count = (right, left) if isinstance(left, int) else (left, right)
            count = max(count, 0)
            if isinstance(sequence, str):
                if len(sequence) * count > MAX_STRING:
                    raise _too_long()
                return sequence * count
            if isinstance(sequence, list | tuple):
                size = 1 + (self._measure(sequence) - 1) * count
                return self._new(len(sequence) * count, size, lambda: list(sequence) * count)
        convert = (
            " (convert with str(), int() or float() first)"
            if str in (type(left), type(right))
            else ""
        )
        message = f"cannot apply '{_BINOPS[op]}' to {_kind(left)} and {_kind(right)}{convert}"
        raise ExpressionError(message + _null_hint(left, right))


# --- public functions -----------------------------------------------------------------


def is_template(value: object) -> bool:
    """True for text holding ``{{``: text that must be parsed and evaluated."""
    return isinstance(value, str) and "{{" in value


def parse_template(text: str) -> Template:
    """Parse a field's text; results are cached because the same text is parsed often."""
    if not isinstance(text, str):
        raise ExpressionError(f"a template must be text, got {_kind(text)}", position=0)
    if "{{" not in text:  # plain text: nothing to parse, and not worth a cache slot
        return Template(text, (text,))
    return _parse_cached(text)


def render(value: Any, scope: Mapping[str, Any], *, now: _Clock | None = None) -> Any:
    """Evaluate every template in ``value``: dict values and list items, recursively."""
    if isinstance(value, str):
        return parse_template(value).evaluate(scope, now=now) if "{{" in value else value
    if isinstance(value, Mapping):
        return {key: render(item, scope, now=now) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, scope, now=now) for item in value]
    return value
