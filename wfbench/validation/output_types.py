"""Types known before a run: action parameters, action outputs, paths through them.

Reference checks follow a path (``steps.user.output.groups[0].id``) through
these types to report a field that does not exist; the typed checks of
conditions, loop items and parameters build on :func:`type_at` too. A type that
is not known is :data:`~typing.Any`, and ``Any`` allows everything.
"""

from __future__ import annotations

import types
import typing
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, TypeAdapter

from wfbench import expressions as ex
from wfbench.actions import ActionRegistry, ActionSpec
from wfbench.model import ActionNode, IfElseNode, LoopNode
from wfbench.validation.issues import dotted

AnyNode = ActionNode | IfElseNode | LoopNode


def has_template(value: Any) -> bool:
    """Whether ``value`` holds a ``{{ … }}`` anywhere (its type is then known only at run time)."""
    if isinstance(value, str):
        return ex.is_template(value)
    if isinstance(value, dict):
        return any(has_template(v) for v in value.values())
    if isinstance(value, list):
        return any(has_template(v) for v in value)
    return False


@lru_cache(maxsize=512)
def param_fields(spec: ActionSpec) -> dict[str, tuple[bool, TypeAdapter[Any]]]:
    """Parameter name -> (required, adapter for its type), from the input model."""
    out: dict[str, tuple[bool, TypeAdapter[Any]]] = {}
    for name, info in spec.input_model.model_fields.items():
        out[info.alias or name] = (
            info.is_required(),
            TypeAdapter(typing.cast(Any, info.annotation)),
        )
    return out


def type_at(tp: Any, path: tuple[str | int, ...]) -> tuple[Any, str | None]:
    """Follow ``path`` through a type; return (type there, problem or None)."""
    done: list[str | int] = []
    for seg in path:
        tp = unwrap_optional(tp)
        origin = typing.get_origin(tp)
        where = dotted(done) or "it"
        if tp is Any or tp is object:
            return Any, None
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            names = {info.alias or n: info.annotation for n, info in tp.model_fields.items()}
            if isinstance(seg, int):
                return Any, f"{where} is an object, not a list: use a field name, not [{seg}]"
            if seg not in names:
                return Any, (
                    f"has no field '{seg}'"
                    + (f" under {where}" if done else "")
                    + f"; its fields are: {', '.join(names)}"
                )
            tp = names[seg]
        elif origin is list:
            if not isinstance(seg, int):
                return Any, f"{where} is a list: use an index like [0], not .{seg}"
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            args = typing.get_args(tp)
            tp = args[1] if len(args) == 2 else Any
        elif origin in (typing.Union, types.UnionType):
            return Any, None
        else:
            return Any, f"{where} is a {getattr(tp, '__name__', tp)}, it has no field '{seg}'"
        done.append(seg)
    return tp, None


def unwrap_optional(tp: Any) -> Any:
    """``X`` for ``X | None``; any other type as it is."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def output_type(node: AnyNode, actions: ActionRegistry) -> Any:
    """The type of ``steps.<node>.output``: the action's output model, or what a flow gives."""
    if isinstance(node, ActionNode):
        spec = actions.find(node.action)
        return spec.output_model if spec else Any
    if isinstance(node, IfElseNode):
        return dict[str, Any]
    return list[dict[str, Any]]


__all__ = ["has_template", "output_type", "param_fields", "type_at", "unwrap_optional"]
