"""Typed checks at save: conditions are true/false, loop items are lists, parameters fit.

What an expression gives is worked out without running it, as a :data:`Kind`
(``boolean``, ``string``, ``number``, ``list``, ``object``, ``null`` or
``unknown``): literals and operators give theirs, functions their result,
references the type the input schema, the actions' output models or a loop's
item type say. ``unknown`` allows everything, so only what is surely wrong is
flagged:

* an if-else ``condition`` must be ONE expression of boolean type (a comparison,
  ``in``, a boolean function, ``not``, ``and``/``or`` of those): a bare text,
  list or number is true or false by accident;
* a loop's ``items`` one expression of list type;
* text around ``{{ }}`` in either makes text: an error that names the fix;
* a parameter's single reference must fit the parameter's type.

The checker calls :func:`check_condition`, :func:`check_items` and
:func:`check_param` with a :data:`KindOf` (what a reference gives where the
node stands); each returns :class:`Problem` s, with the position in the field.
"""

from __future__ import annotations

import ast
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from wfbench import expressions as ex
from wfbench.errors import ExpressionError

Kind = Literal["boolean", "string", "number", "list", "object", "null", "unknown"]
#: What a reference (root, path) gives at the node being checked.
KindOf = Callable[[str, tuple[str | int, ...]], Kind]

_WORDS: dict[str, str] = {
    "boolean": "true/false",
    "string": "text",
    "number": "a number",
    "list": "a list",
    "object": "an object",
    "null": "null",
    "unknown": "a value",
}
_FUNCTION_KINDS: dict[str, Kind] = {
    "startswith": "boolean",
    "endswith": "boolean",
    "contains": "boolean",
    "bool": "boolean",
    "lower": "string",
    "upper": "string",
    "strip": "string",
    "str": "string",
    "join": "string",
    "now": "string",
    "len": "number",
    "int": "number",
    "float": "number",
    "sum": "number",
    "abs": "number",
    "round": "number",
    "split": "list",
    "keys": "list",
    "values": "list",
}
_EXAMPLE_CONDITION = "{{ steps.user.output.employee_type == 'contractor' }}"


@dataclass(frozen=True)
class Problem:
    """One typed-check finding: its code, a sentence for the user, where in the field."""

    code: str
    message: str
    position: int | None = None


def words(kind: Kind) -> str:
    """A kind as a sentence says it: ``text``, ``a list``, ``true/false``."""
    return _WORDS[kind]


def kind_of_type(tp: Any) -> Kind:
    """The kind of a Python type (``X | None`` counts as ``X``; other unions are unknown)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        kinds = {kind_of_type(a) for a in args}
        return kinds.pop() if len(kinds) == 1 else "unknown"
    if typing.get_origin(tp) is Literal:
        kinds = {kind_of_value(v) for v in typing.get_args(tp)}
        return kinds.pop() if len(kinds) == 1 else "unknown"
    origin = typing.get_origin(tp) or tp
    if origin is bool:
        return "boolean"
    if origin is str:
        return "string"
    if origin in (int, float):
        return "number"
    if origin in (list, tuple):
        return "list"
    if origin is dict or (isinstance(origin, type) and issubclass(origin, BaseModel)):
        return "object"
    if isinstance(origin, type) and issubclass(origin, str):  # str enums
        return "string"
    return "unknown"


def kind_of_value(value: Any) -> Kind:
    """The kind of a plain JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    return "unknown"


def kind_of_schema(schema: Any) -> Kind:
    """The kind a JSON Schema declares (``unknown`` unless it names one type, null aside)."""
    if not isinstance(schema, Mapping):
        return "unknown"
    declared = schema.get("type")
    if isinstance(declared, list):
        named = [t for t in declared if t != "null"]
        declared = named[0] if len(named) == 1 else None
    if "enum" in schema and declared is None:
        kinds = {kind_of_value(v) for v in schema["enum"] if v is not None}
        return kinds.pop() if len(kinds) == 1 else "unknown"
    table: dict[Any, Kind] = {
        "string": "string",
        "integer": "number",
        "number": "number",
        "boolean": "boolean",
        "array": "list",
        "object": "object",
    }
    return table.get(declared, "unknown")


def schema_at(props: Mapping[str, Any] | None, path: tuple[str | int, ...]) -> Any:
    """The JSON Schema at ``input.<path>`` given the input's properties (``None``: unknown)."""
    schema: Any = {"type": "object", "properties": props} if props is not None else None
    for seg in path:
        if not isinstance(schema, Mapping):
            return None
        if isinstance(seg, int):
            schema = schema.get("items")
        else:
            sub = schema.get("properties")
            schema = sub.get(seg) if isinstance(sub, Mapping) else None
    return schema


def kind_of(expr: ex.Expression, kind_of_ref: KindOf) -> Kind:
    """What one parsed expression gives, without running it."""
    return _kind(expr.tree.body, kind_of_ref)


def _kind(node: ast.expr, ref: KindOf) -> Kind:
    match node:
        case ast.Constant(value=value):
            return kind_of_value(value)
        case ast.Name(id="true" | "false"):
            return "boolean"
        case ast.Name(id="null"):
            return "null"
        case ast.Compare() | ast.UnaryOp(op=ast.Not()):
            return "boolean"
        case ast.UnaryOp():
            return "number"
        case ast.BoolOp(values=values):
            kinds = {_kind(v, ref) for v in values}
            return kinds.pop() if len(kinds) == 1 else "unknown"
        case ast.Call(func=ast.Name(id="default"), args=[first, second]):
            kinds = {_kind(first, ref), _kind(second, ref)} - {"null"}
            return kinds.pop() if len(kinds) == 1 else "unknown"
        case ast.Call(func=ast.Name(id=name)):
            return _FUNCTION_KINDS.get(name, "unknown")
        case ast.List() | ast.Tuple():
            return "list"
        case ast.Dict():
            return "object"
        case ast.IfExp(body=yes, orelse=no):
            then_kind, else_kind = _kind(yes, ref), _kind(no, ref)
            return then_kind if then_kind == else_kind else "unknown"
        case ast.BinOp(left=left, right=right):
            kinds = {_kind(left, ref), _kind(right, ref)}
            if kinds in ({"string"}, {"list"}):
                return kinds.pop()
            return "number" if kinds == {"number"} else "unknown"
        case ast.Name() | ast.Attribute() | ast.Subscript():
            chain = _chain(node)
            return ref(*chain) if chain else "unknown"
    return "unknown"


def _chain(node: ast.expr) -> tuple[str, tuple[str | int, ...]] | None:
    """``(root, path)`` of a static read like ``steps.user.output.groups[0]``; else None."""
    path: list[str | int] = []
    while isinstance(node, ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute):
            path.insert(0, node.attr)
        elif isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str | int):
            if isinstance(node.slice.value, bool):
                return None
            path.insert(0, node.slice.value)
        else:
            return None
        node = node.value
    return (node.id, tuple(path)) if isinstance(node, ast.Name) else None


def _single(value: str, label: str, code: str) -> tuple[ex.Expression | None, Problem | None]:
    """The one expression of ``value``, or the problem of text mixed with ``{{ }}``.

    The problem's message is the start of a sentence (``the condition has text
    outside its {{ }}, which makes it text``); the caller says what follows.
    """
    try:
        tpl = ex.parse_template(value)
    except ExpressionError:
        return None, None  # reported as a syntax error already
    if tpl.single:
        part = tpl.parts[0]
        assert isinstance(part, ex.Expression)
        return part, None
    exprs = [p for p in tpl.parts if isinstance(p, ex.Expression)]
    if not exprs:
        return None, Problem(code, f"{label} is plain text", 0)
    if len(exprs) > 1:
        head = f"{label} holds {len(exprs)} {{{{ }}}} expressions, and together they make text"
        return None, Problem(code, head, exprs[1]._base)
    head = f"{label} has text outside its {{{{ }}}}, which makes it text"
    return None, Problem(code, head, exprs[0]._base)


def check_condition(value: Any, kind_of_ref: KindOf) -> list[Problem]:
    """An if-else condition: one expression of boolean type (or a literal true/false)."""
    if not isinstance(value, str):
        return []
    expr, mixed = _single(value, "the condition", "type.condition")
    if mixed:
        fix = (
            "write the whole condition inside one {{ }} as a comparison, "
            f"e.g. {_EXAMPLE_CONDITION}"
        )
        return [
            Problem(mixed.code, f"{mixed.message}, so it is always true; {fix}", mixed.position)
        ]
    if expr is None:
        return []
    kind = kind_of(expr, kind_of_ref)
    if kind in ("boolean", "unknown"):
        return []
    return [
        Problem(
            "type.condition",
            f"the condition gives {words(kind)}, not true/false, so whether it holds is "
            f"an accident; compare it, e.g. {{{{ {expr.source.strip()} == '…' }}}}, or test "
            "it with a function that gives true/false, such as startswith or contains",
            expr._base,
        )
    ]


def check_items(value: Any, kind_of_ref: KindOf) -> list[Problem]:
    """A loop's items: a literal list, or one expression of list type."""
    if not isinstance(value, str):
        return []
    expr, mixed = _single(value, "the items field", "type.items")
    if mixed:
        fix = "write one {{ }} that gives a list, e.g. {{ steps.user.output.groups }}"
        return [Problem(mixed.code, f"{mixed.message}, not a list; {fix}", mixed.position)]
    if expr is None:
        return []
    kind = kind_of(expr, kind_of_ref)
    if kind in ("list", "unknown"):
        return []
    return [
        Problem(
            "type.items",
            f"the items give {words(kind)}, not a list: a loop needs a list to go through; "
            "pick a list field (the reference picker shows each field's type)",
            expr._base,
        )
    ]


def check_param(name: str, value: Any, param_type: Any, kind_of_ref: KindOf) -> list[Problem]:
    """A parameter filled by one ``{{ }}``: what it gives must fit the parameter's type."""
    wanted = kind_of_type(param_type)
    if wanted == "unknown" or not isinstance(value, str) or not ex.is_template(value):
        return []
    try:
        tpl = ex.parse_template(value)
    except ExpressionError:
        return []
    if not tpl.single:
        if wanted in ("list", "object"):
            at = next((p._base for p in tpl.parts if isinstance(p, ex.Expression)), 0)
            return [_misfit(name, wanted, "string", "text around {{ }} makes text", at)]
        return []
    expr = tpl.parts[0]
    assert isinstance(expr, ex.Expression)
    got = kind_of(expr, kind_of_ref)
    if fits(got, wanted, nullable=type(None) in typing.get_args(param_type), lax=True):
        return []
    hint = ""
    src = expr.source.strip()
    if got == "object":
        hint = f"pick one of its fields, e.g. {{{{ {src}.id }}}}"
    elif wanted == "string" and got in ("number", "boolean"):
        hint = f"turn it into text: {{{{ str({src}) }}}}"
    return [_misfit(name, wanted, got, hint, expr._base)]


def fits(got: Kind, wanted: Kind, *, nullable: bool = False, lax: bool = False) -> bool:
    """Whether a value of kind ``got`` fills a field of kind ``wanted`` (unknown fits).

    ``lax``: text into a number or true/false parameter fits too (pydantic reads
    ``"5"`` and ``"true"``), so Save does not refuse it; the picker does not offer it.
    """
    if got in ("unknown", wanted) or wanted == "unknown":
        return True
    if got == "null":
        return nullable
    return lax and got == "string" and wanted in ("number", "boolean")


def _misfit(name: str, wanted: Kind, got: Kind, hint: str, at: int) -> Problem:
    message = f"'{name}' takes {words(wanted)}, but this gives {words(got)}"
    return Problem("type.param", f"{message}; {hint}" if hint else message, at)


__all__ = [
    "Kind",
    "KindOf",
    "Problem",
    "check_condition",
    "check_items",
    "check_param",
    "fits",
    "kind_of",
    "kind_of_schema",
    "kind_of_type",
    "kind_of_value",
    "schema_at",
    "words",
]
