"""Static checks of a parsed expression: the allow-list, and the references it reads.

:func:`check_tree` refuses, before anything runs, every construct outside the
allow-list. :func:`collect` finds every static read (``steps.user.output.x``)
so validation can check references without evaluating anything. Typed checks
(what type an expression gives) belong here too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from wfbench.errors import ExpressionError
from wfbench.expressions.functions import FUNCTION_NAMES, FUNCTIONS, check_round_digits
from wfbench.expressions.syntax import Code
from wfbench.expressions.values import ALIASES, BINOPS, MAX_DEPTH, bounded

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


@dataclass(frozen=True)
class Reference:
    """A static read such as ``steps.user.output.groups[0]``, found without evaluating."""

    root: str
    path: tuple[str | int, ...]
    position: int
    guarded: bool


def _problem(node: ast.AST) -> tuple[str, ast.AST] | None:
    """What is refused about one allowed kind of node, and where; None if nothing."""
    refuse_private = "starting with '_' are not allowed (dunder and private names are refused)"
    match node:
        case ast.Constant(value=value) if not isinstance(value, str | int | float | None):
            return "only text, numbers, true, false and null literals are allowed", node
        case ast.Constant(value=int() | float() as number):
            try:
                bounded(number)
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
        case ast.BinOp(op=op) if type(op) not in BINOPS:
            return f"bitwise and matrix operators are not allowed; {_OPERATORS}", node
        case ast.Compare(ops=ops) if any(isinstance(op, ast.Is | ast.IsNot) for op in ops):
            return "'is' and 'is not' are not allowed; use == null or != null instead", node
        case ast.Dict(keys=keys) if None in keys:
            return "dict unpacking (**) is not allowed; write each key", node
        case ast.Call(func=ast.Name(id=name)) if name not in FUNCTIONS:
            return f"unknown function '{name}'; the functions are: {FUNCTION_NAMES}", node
        case ast.Call(func=func) if not isinstance(func, ast.Name):
            message = "only functions can be called, by name: methods do not exist, so write"
            return f"{message} upper(x), not x.upper(); the functions are: {FUNCTION_NAMES}", node
        case ast.Call(keywords=[keyword, *_]):
            return "keyword arguments are not allowed; pass arguments by position", keyword
        case ast.Call(func=ast.Name(id=name), args=[_, *_] as args):
            return _constant_call(name, args, node)
    return None


def _constant_call(name: str, args: list[ast.expr], node: ast.AST) -> tuple[str, ast.AST] | None:
    """A call whose arguments are all literals is tried at save (every function is bounded
    before it computes), so ``round(x, -10**9)``-style arguments are flagged, not run."""
    values = [_literal(arg) for arg in args]
    try:
        if name == "round" and len(values) == 2:
            check_round_digits(values[1])
        if any(v is _NOT_LITERAL for v in values):
            return None
        FUNCTIONS[name](*values)
    except ExpressionError as err:
        return err.message, node
    except (ArithmeticError, LookupError, TypeError, ValueError):
        return None  # the evaluator words these at run time
    return None


_NOT_LITERAL = object()


def _literal(node: ast.expr) -> object:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _literal(node.operand)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
        return _NOT_LITERAL
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | None):
        return node.value
    return _NOT_LITERAL


def check_tree(expr: Code, node: ast.AST, depth: int) -> None:
    """Refuse, before anything runs, every construct outside the allow-list."""
    if depth > MAX_DEPTH:
        raise expr.error_at(
            f"the expression is nested too deeply (at most {MAX_DEPTH} levels)", node
        )
    if not isinstance(node, _ALLOWED):
        message = _REFUSED.get(type(node), f"{type(node).__name__} is not allowed in expressions")
        raise expr.error_at(message, node)
    if problem := _problem(node):
        raise expr.error_at(*problem)
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):  # not operators, contexts (and no keywords: refused)
            check_tree(expr, child, depth + 1)


def _static_key(node: ast.expr) -> str | int | None:
    """The constant key of ``a['k']``, ``a[0]`` or ``a[-1]``; None if it is computed."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        key = _static_key(node.operand)
        return -key if isinstance(key, int) else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int):
        return None if isinstance(node.value, bool) else node.value
    return None


def collect(expr: Code, node: ast.AST, guarded: bool, out: list[Reference]) -> None:
    """Find every chain ``name(.attr | [constant])*``; a computed key ends the static path."""
    if isinstance(node, ast.Call):  # the function's name is not a reference
        is_default = isinstance(node.func, ast.Name) and node.func.id == "default"
        for i, arg in enumerate(node.args):
            collect(expr, arg, guarded or (is_default and i == 0), out)
        return
    if not isinstance(node, ast.Name | ast.Attribute | ast.Subscript):
        for child in ast.iter_child_nodes(node):
            collect(expr, child, guarded, out)
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
            collect(expr, accessor.slice, guarded, out)
        static = static and key is not None
        path += [key] if static and key is not None else []
    if not isinstance(base, ast.Name):
        collect(expr, base, guarded, out)
    elif base.id not in ALIASES:
        out.append(Reference(base.id, tuple(path), expr.position_of(base), guarded))
