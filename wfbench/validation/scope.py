"""What an expression may read at one point of a workflow: the one set of scope rules.

At a node, an expression may read ``input``; ``steps.<id>`` of every step that
has run before it, steps of an earlier if-else's branches included (they may
have been skipped, and then read as ``null``); not the steps inside an earlier
loop's body (they ran once per item: only the loop's own output is there); and
each enclosing loop's ``as`` variable and ``loop.index``.

:func:`walk` visits the nodes in run order with the :class:`Scope` each one
sees; the checker reports references outside it, and
:func:`references_in_scope` lists what the type-ahead reference fields offer, so
an inserted reference never turns a node red.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from wfbench import expressions as ex
from wfbench import pointers
from wfbench.actions import ActionRegistry
from wfbench.errors import ExpressionError
from wfbench.model import ActionNode, IfElseNode, LoopNode, Node, Workflow, children, iter_nodes
from wfbench.validation.expression_kinds import Kind, kind_of_schema, kind_of_type
from wfbench.validation.output_types import output_type, type_at, unwrap_optional

AnyNode = ActionNode | IfElseNode | LoopNode
#: The element type of a loop's items, given the loop and the scope around it.
ItemType = Callable[[LoopNode, "Scope"], Any]


@dataclass
class Scope:
    """What an expression may read at one point of the graph."""

    ran: dict[str, bool] = field(default_factory=dict)
    """Step id -> whether it may have been skipped, for every step run by this point."""

    loop_vars: dict[str, tuple[str, Any]] = field(default_factory=dict)
    """Loop variable name -> (loop id, item type), outermost loop first."""

    loops: tuple[str, ...] = ()
    """Ids of the enclosing loops, outermost first."""

    added: list[str] = field(default_factory=list)
    """Ids this scope added to what it was given (a branch's steps, for the if-else)."""

    def child(self) -> Scope:
        """A copy to walk a body in: what it adds does not leak back by itself."""
        return Scope(dict(self.ran), dict(self.loop_vars), self.loops)

    def mark(self, step_id: str, maybe_skipped: bool = False) -> None:
        """``step_id`` has run (or may have been skipped) by this point."""
        if step_id not in self.ran:
            self.added.append(step_id)
            self.ran[step_id] = maybe_skipped


def walk(
    steps: list[Node],
    scope: Scope | None = None,
    *,
    item_type: ItemType | None = None,
    pointer: str = "",
    key: str = "steps",
) -> Iterator[tuple[AnyNode, str, Scope]]:
    """Every node in run order with its JSON pointer and the scope it sees.

    The scope is live: read it before asking for the next node. ``item_type``
    gives a loop variable's type (unknown, :data:`~typing.Any`, without it).
    """
    scope = scope if scope is not None else Scope()
    for i, node in enumerate(steps):
        here = pointers.join(pointer, key, i)
        yield node, here, scope
        if isinstance(node, IfElseNode):
            branches = []
            for branch, body in children(node):  # each branch sees only what ran before
                branches.append(inner := scope.child())
                yield from walk(body, inner, item_type=item_type, pointer=here, key=branch)
            for inner in branches:  # after the if-else, either branch may have run
                for sid in inner.added:
                    scope.mark(sid, maybe_skipped=True)
        elif isinstance(node, LoopNode):
            inner = scope.child()
            inner.loop_vars[node.as_] = (node.id, item_type(node, scope) if item_type else Any)
            inner.loops = (*scope.loops, node.id)
            yield from walk(node.steps, inner, item_type=item_type, pointer=here, key="steps")
        scope.mark(node.id)


def scope_at(workflow: Workflow, node_id: str) -> Scope | None:
    """The scope node ``node_id`` sees (``None`` when the workflow has no such node)."""
    return _scope_in(workflow.steps, node_id)


def _scope_in(steps: list[Node], node_id: str) -> Scope | None:
    for node, _, scope in walk(steps):
        if node.id == node_id:
            return scope
    return None


def references_in_scope(
    doc: Mapping[str, Any], node_id: str | None, catalogue: ActionRegistry
) -> list[str]:
    """Every reference node ``node_id`` of a raw document may read, in a readable order.

    ``input`` and its fields first, then the steps that ran before, then the
    loop variables (innermost first) and ``loop.index``. ``node_id=None`` (or an
    id not in the workflow) gives what the first step could read: the input only.
    Parts of the document that do not validate yet still have their scope.
    """
    refs = ["input"]
    trigger = doc.get("trigger")
    schema = trigger.get("input_schema") if isinstance(trigger, Mapping) else None
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if isinstance(props, Mapping):
        refs += [f"input.{name}" for name in props]
    if not node_id:
        return refs
    steps = _skeleton(doc.get("steps"))
    scope = _scope_in(steps, node_id)
    if scope is None:
        return refs
    nodes: dict[str, AnyNode] = {}
    for node in iter_nodes(steps):
        nodes.setdefault(node.id, node)  # the first of duplicates, as the checker does
    for sid in scope.ran:
        if sid:
            refs += _step_refs(nodes[sid], catalogue)
    refs += reversed(scope.loop_vars)  # innermost first: the variable a body usually wants
    if scope.loops:
        refs.append("loop.index")
    return refs


def _skeleton(raw: Any) -> list[Node]:
    """The shape of a raw step list, unchecked: ids, kinds, actions, loop names, bodies.

    The helper is used while a workflow is being edited, so it must see the
    scope through parts that do not validate yet (a loop whose bound is being
    typed). Only what the scope rules read is kept; a node without a text id
    gets ``""``, which is never offered.
    """
    out: list[Node] = []
    for node in raw if isinstance(raw, list) else []:
        if not isinstance(node, Mapping):
            continue
        raw_id = node.get("id")
        sid = raw_id if isinstance(raw_id, str) else ""
        kind = node.get("kind")
        if kind == "if_else":
            then, else_ = _skeleton(node.get("then")), _skeleton(node.get("else"))
            out.append(IfElseNode.model_construct(id=sid, condition=True, then=then, else_=else_))
        elif kind == "loop":
            name = str(node.get("as") or "item")
            body = _skeleton(node.get("steps"))
            items = node.get("items")
            loop = LoopNode.model_construct(
                id=sid,
                items=items if isinstance(items, str) else [],
                as_=name,
                max_iterations=1,
                steps=body,
            )
            out.append(loop)
        else:
            out.append(ActionNode.model_construct(id=sid, action=str(node.get("action"))))
    return out


def _step_refs(node: AnyNode, catalogue: ActionRegistry) -> list[str]:
    base = f"steps.{node.id}"
    if isinstance(node, IfElseNode):
        return [f"{base}.output.branch", f"{base}.output.condition", f"{base}.status"]
    if isinstance(node, LoopNode):
        return [f"{base}.output", f"{base}.status"]
    spec = catalogue.find(node.action)
    fields = spec.output_fields if spec else []
    return [f"{base}.output", *(f"{base}.output.{f}" for f in fields), f"{base}.status"]


#: How deep the picker lists fields of nested objects (``steps.x.output.a.b.c``).
_FIELD_DEPTH = 3


def typed_references(
    doc: Mapping[str, Any], node_id: str | None, catalogue: ActionRegistry
) -> list[tuple[str, Kind]]:
    """What node ``node_id`` may read, down to fields, each with its kind.

    The same scope as :func:`references_in_scope`, listed as the picker shows
    it: ``input.email (string)``, ``steps.user.output.employee_type (string)``,
    ``steps.user.output.groups (list)``, and inside a loop over a typed list
    the variable's own fields (``group.id (string)``). The kinds are the typed
    checks' (:mod:`~wfbench.validation.expression_kinds`), so a reference the picker
    offers for a field is one Save accepts there.
    """
    trigger = doc.get("trigger")
    schema = trigger.get("input_schema") if isinstance(trigger, Mapping) else None
    refs: list[tuple[str, Kind]] = [("input", "object")]
    refs += _schema_fields("input", schema, _FIELD_DEPTH)[1:]
    if not node_id:
        return refs
    steps = _skeleton(doc.get("steps"))
    nodes: dict[str, AnyNode] = {}
    for node in iter_nodes(steps):
        nodes.setdefault(node.id, node)
    found = None
    for node, _, scope in walk(steps, item_type=_item_type_in(nodes, catalogue)):
        if node.id == node_id:
            found = scope
            break
    if found is None:
        return refs
    for sid in found.ran:
        if sid:
            base = f"steps.{sid}"
            refs += _type_fields(f"{base}.output", output_type(nodes[sid], catalogue), _FIELD_DEPTH)
            refs.append((f"{base}.status", "string"))
    for name in reversed(found.loop_vars):  # innermost first: the variable a body usually wants
        refs += _type_fields(name, found.loop_vars[name][1], _FIELD_DEPTH)
    if found.loops:
        refs.append(("loop.index", "number"))
    return refs


def _item_type_in(nodes: Mapping[str, AnyNode], catalogue: ActionRegistry) -> ItemType:
    """The element type of a loop's list, for loops over one typed list reference."""

    def item_type(loop: LoopNode, scope: Scope) -> Any:
        if not isinstance(loop.items, str) or not ex.is_template(loop.items):
            return Any
        try:
            tpl = ex.parse_template(loop.items)
        except ExpressionError:
            return Any
        refs = tpl.references()
        if not tpl.single or len(refs) != 1:
            return Any
        ref = refs[0]
        tp: Any = Any
        if ref.root == "steps" and len(ref.path) >= 2 and ref.path[1] == "output":
            sid = ref.path[0]
            if isinstance(sid, str) and sid in scope.ran and sid in nodes:
                tp = type_at(output_type(nodes[sid], catalogue), ref.path[2:])[0]
        elif ref.root in scope.loop_vars:
            tp = type_at(scope.loop_vars[ref.root][1], ref.path)[0]
        tp = unwrap_optional(tp)
        return typing.get_args(tp)[0] if typing.get_origin(tp) is list else Any

    return item_type


def _type_fields(path: str, tp: Any, depth: int) -> list[tuple[str, Kind]]:
    out: list[tuple[str, Kind]] = [(path, kind_of_type(tp))]
    model = unwrap_optional(tp)
    if depth > 0 and isinstance(model, type) and issubclass(model, BaseModel):
        for name, info in model.model_fields.items():
            out += _type_fields(f"{path}.{info.alias or name}", info.annotation, depth - 1)
    return out


def _schema_fields(path: str, schema: Any, depth: int) -> list[tuple[str, Kind]]:
    out: list[tuple[str, Kind]] = [(path, kind_of_schema(schema) if path != "input" else "object")]
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if depth > 0 and isinstance(props, Mapping):
        for name, sub in props.items():
            out += _schema_fields(f"{path}.{name}", sub, depth - 1)
    return out


__all__ = [
    "ItemType",
    "Scope",
    "references_in_scope",
    "scope_at",
    "typed_references",
    "walk",
]
