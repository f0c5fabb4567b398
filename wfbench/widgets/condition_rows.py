"""A condition as rows (field, operator, value) and back: the condition builder's model.

Pure functions, no widgets. :func:`to_expression` writes an ordinary
expression (``{{ steps.user.output.employee_type == 'contractor' }}``) that
the typed checks accept as true/false; :func:`from_expression` reads such an
expression back into rows, or gives ``None`` when the expression is not one
the builder can show (it stays hand-written then). Each operator writes one
shape and reads exactly that shape, so rows → text → rows is the identity.

========================  =================================
operator                  expression
========================  =================================
``equals``                ``field == value``
``not equals``            ``field != value``
``in``                    ``field in [a, b]``
``contains``              ``contains(field, value)``
``starts with``           ``startswith(field, value)``
``is empty``              ``len(field) == 0`` (null too)
``greater than``          ``field > value``
``less than``             ``field < value``
========================  =================================

Rows are combined with ``and`` (``all``) or ``or`` (``any``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Literal

from wfbench import expressions as ex
from wfbench.errors import ExpressionError

Op = Literal[
    "equals", "not equals", "in", "contains", "starts with", "is empty", "greater than", "less than"
]
Join = Literal["all", "any"]
#: The operators, in the order the builder lists them.
OPERATORS: tuple[Op, ...] = (
    "equals",
    "not equals",
    "in",
    "contains",
    "starts with",
    "is empty",
    "greater than",
    "less than",
)
_COMPARE: dict[type[ast.cmpop], Op] = {
    ast.Eq: "equals",
    ast.NotEq: "not equals",
    ast.In: "in",
    ast.Gt: "greater than",
    ast.Lt: "less than",
}
_SYMBOL: dict[Op, str] = {
    "equals": "==",
    "not equals": "!=",
    "in": "in",
    "greater than": ">",
    "less than": "<",
}
_CALL: dict[Op, str] = {"contains": "contains", "starts with": "startswith"}


@dataclass(frozen=True)
class Row:
    """One test: ``field`` (a reference such as ``steps.user.output.email``), ``op``, ``value``."""

    field: str
    op: Op
    value: Any = None


def literal(value: Any) -> str:
    """A JSON value as an expression literal: ``'text'``, ``3``, ``true``, ``null``, ``[…]``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise ValueError(
        f"a condition's value is text, a number, true/false, null or a list: {value!r}"
    )


def row_expression(row: Row) -> str:
    """One row as expression code (without braces)."""
    if row.op == "is empty":
        return f"len({row.field}) == 0"
    if row.op in _CALL:
        return f"{_CALL[row.op]}({row.field}, {literal(row.value)})"
    value = list(row.value) if row.op == "in" and isinstance(row.value, tuple) else row.value
    return f"{row.field} {_SYMBOL[row.op]} {literal(value)}"


def to_expression(rows: list[Row], join: Join = "all") -> str:
    """The rows as one ``{{ … }}`` condition; no rows is ``{{ true }}``."""
    if not rows:
        return "{{ true }}"
    glue = " and " if join == "all" else " or "
    return "{{ " + glue.join(row_expression(r) for r in rows) + " }}"


def from_expression(text: Any) -> tuple[list[Row], Join] | None:
    """The rows and join an expression was written as, or ``None`` if the builder cannot show it."""
    if not isinstance(text, str) or not ex.is_template(text):
        return None
    try:
        tpl = ex.parse_template(text)
    except ExpressionError:
        return None
    if not tpl.single:
        return None
    part = tpl.parts[0]
    assert isinstance(part, ex.Expression)
    body = part.tree.body
    join: Join = "all"
    tests = [body]
    if isinstance(body, ast.BoolOp):
        join = "all" if isinstance(body.op, ast.And) else "any"
        tests = body.values
    rows = [_row(t) for t in tests]
    if any(r is None for r in rows):
        return None
    return [r for r in rows if r is not None], join


def _row(node: ast.expr) -> Row | None:
    match node:
        case ast.Compare(
            left=ast.Call(func=ast.Name(id="len"), args=[arg]),
            ops=[ast.Eq()],
            comparators=[ast.Constant(value=0)],
        ):
            field = _field(arg)
            return Row(field, "is empty") if field else None
        case ast.Compare(left=left, ops=[cmp], comparators=[right]) if type(cmp) in _COMPARE:
            field, (ok, value) = _field(left), _value(right)
            kind = _COMPARE[type(cmp)]
            if not field or not ok or (kind == "in") != isinstance(value, list):
                return None
            return Row(field, kind, value)
        case ast.Call(func=ast.Name(id="contains" | "startswith" as name), args=[arg, val]):
            field, (ok, value) = _field(arg), _value(val)
            call: Op = "contains" if name == "contains" else "starts with"
            return Row(field, call, value) if field and ok else None
    return None


def _field(node: ast.expr) -> str | None:
    """The reference a row tests, if ``node`` is a plain read (``a.b[0].c``)."""
    probe = node
    while isinstance(probe, ast.Attribute | ast.Subscript):
        if isinstance(probe, ast.Subscript) and not isinstance(probe.slice, ast.Constant):
            return None
        probe = probe.value
    if not isinstance(probe, ast.Name) or probe.id in ("true", "false", "null"):
        return None
    return ast.unparse(node)


def _value(node: ast.expr) -> tuple[bool, Any]:
    """(True, the literal's value), or (False, None) when ``node`` is not a literal."""
    match node:
        case ast.Constant(value=value) if isinstance(value, str | int | float):
            return True, value
        case ast.Name(id="true" | "false" | "null" as name):
            return True, {"true": True, "false": False, "null": None}[name]
        case ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=int() | float() as number)):
            return True, -number
        case ast.List(elts=items) | ast.Tuple(elts=items):
            values = [_value(i) for i in items]
            if all(ok for ok, _ in values):
                return True, [v for _, v in values]
    return False, None


def parse_value(text: str, kind: str, op: Op) -> Any:
    """What a person typed in the value box, as the value a row holds.

    ``in`` takes a comma-separated list; a number field reads numbers, a
    true/false field ``true``/``false``; anything else is text as typed.
    """
    if op == "in":
        return [parse_value(p.strip(), kind, "equals") for p in text.split(",") if p.strip()]
    stripped = text.strip()
    if kind == "number":
        try:
            number = float(stripped)
        except ValueError:
            return text
        return int(number) if number.is_integer() and "." not in stripped else number
    if kind == "boolean" and stripped in ("true", "false"):
        return stripped == "true"
    if stripped == "null":
        return None
    return text


def show_value(value: Any) -> str:
    """A row's value as the value box shows it (the inverse of :func:`parse_value`)."""
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


__all__ = [
    "OPERATORS",
    "Join",
    "Op",
    "Row",
    "from_expression",
    "literal",
    "parse_value",
    "row_expression",
    "show_value",
    "to_expression",
]
