"""What an expression may read at one node: the insert-reference helper's list.

The rules are the validator's (:mod:`wfbench.validation`): ``input.<field>``
for each field of the input schema; ``steps.<id>`` of every step that has run
before the node (steps of an earlier if-else's branches included, since they
read as ``null`` when skipped; steps inside an earlier loop's body are not, only
the loop's own output); each enclosing loop's variable and ``loop.index``.
Offering only what validation accepts means an inserted reference never turns
a node red.

Pure and widget-free, so it is tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wfbench.actions import ActionRegistry


def references_in_scope(
    doc: Mapping[str, Any], node_id: str | None, catalogue: ActionRegistry
) -> list[str]:
    """Every reference that node ``node_id`` may read, in a stable, readable order.

    ``node_id=None`` (or an id not in the workflow) gives what the first step
    could read: the input only.
    """
    refs = ["input"]
    trigger = doc.get("trigger")
    schema = trigger.get("input_schema") if isinstance(trigger, Mapping) else None
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if isinstance(props, Mapping):
        refs += [f"input.{name}" for name in props]
    found = _find(_steps(doc.get("steps")), node_id, [], []) if node_id else None
    visible, loops = found if found else ([], [])
    for node in visible:
        refs += _step_refs(node, catalogue)
    for loop in reversed(loops):  # innermost first: the variable a body usually wants
        refs.append(str(loop.get("as") or "item"))
    if loops:
        refs.append("loop.index")
    return refs


def _find(
    steps: list[Mapping[str, Any]],
    target: str,
    visible: list[Mapping[str, Any]],
    loops: list[Mapping[str, Any]],
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]] | None:
    """Walk ``steps`` in run order; at ``target`` return ``(steps run before, loops around)``."""
    visible = list(visible)
    for node in steps:
        if node.get("id") == target:
            return visible, loops
        kind = node.get("kind")
        if kind == "if_else":
            ran: list[Mapping[str, Any]] = []
            for branch in ("then", "else"):
                body = _steps(node.get(branch))
                hit = _find(body, target, visible, loops)
                if hit is not None:
                    return hit
                ran += _ran_in(body)
            visible += ran
        elif kind == "loop":
            hit = _find(_steps(node.get("steps")), target, visible, [*loops, node])
            if hit is not None:
                return hit
        visible.append(node)
    return None


def _ran_in(steps: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The steps of a branch that later steps may read (not those inside loops)."""
    out: list[Mapping[str, Any]] = []
    for node in steps:
        if node.get("kind") == "if_else":
            for branch in ("then", "else"):
                out += _ran_in(_steps(node.get(branch)))
        out.append(node)
    return out


def _step_refs(node: Mapping[str, Any], catalogue: ActionRegistry) -> list[str]:
    sid = node.get("id")
    if not isinstance(sid, str):
        return []
    base = f"steps.{sid}"
    kind = node.get("kind")
    if kind == "if_else":
        return [f"{base}.output.branch", f"{base}.output.condition", f"{base}.status"]
    if kind == "loop":
        return [f"{base}.output", f"{base}.status"]
    spec = catalogue.find(str(node.get("action")))
    fields = spec.output_fields if spec else []
    return [f"{base}.output", *(f"{base}.output.{f}" for f in fields), f"{base}.status"]


def _steps(raw: Any) -> list[Mapping[str, Any]]:
    return [n for n in raw if isinstance(n, Mapping)] if isinstance(raw, list) else []
