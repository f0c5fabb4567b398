"""The checker: every node and reference of a parsed workflow, in run order.

It indexes the nodes (unique ids, depth and size limits), checks the trigger
(:mod:`~wfbench.validation.trigger`), walks the steps with the scope each one
sees (:mod:`~wfbench.validation.scope`) checking actions, their parameters
(:mod:`~wfbench.validation.params`) and every reference in every expression,
and checks the run-as role (:mod:`~wfbench.validation.run_as`). Typed checks of
conditions, loop items and parameters (:mod:`~wfbench.validation.output_types`) belong
in ``_check_value``'s callers.
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass
from typing import Any

from wfbench import expressions as ex
from wfbench import pointers
from wfbench.actions import ActionRegistry
from wfbench.errors import ExpressionError
from wfbench.issues import Severity
from wfbench.model import (
    MAX_DEPTH,
    MAX_NODES,
    ActionNode,
    IfElseNode,
    LoopNode,
    Node,
    children,
)
from wfbench.roles import RoleRegistry
from wfbench.validation import expression_kinds as typed
from wfbench.validation.issues import Issue, Report
from wfbench.validation.names import name_issues
from wfbench.validation.output_types import output_type, type_at
from wfbench.validation.params import check_params
from wfbench.validation.run_as import check_role, required_permissions
from wfbench.validation.scope import Scope, walk
from wfbench.validation.structure import parse_pruned
from wfbench.validation.trigger import check_trigger

AnyNode = ActionNode | IfElseNode | LoopNode

_RESERVED_NAMES = frozenset({"input", "steps", "loop", "true", "false", "null"})


@dataclass(frozen=True)
class Place:
    """Where a node sits: its pointer, enclosing flows, and order."""

    node: AnyNode
    pointer: str
    ancestors: tuple[tuple[str, str], ...]
    """(container id, branch or ``steps``) from outermost to innermost."""
    order: int
    """Position in document order."""


class Checker:
    """One validation of one document; :meth:`run` gives its :class:`Report`."""

    def __init__(self, doc: dict[str, Any], actions: ActionRegistry, roles: RoleRegistry) -> None:
        self.doc = doc
        self.actions = actions
        self.roles = roles
        self.issues: list[Issue] = []
        self.places: dict[str, Place] = {}
        self.opaque: set[str] = set()
        self.input_props: dict[str, Any] | None = None  # None: input not checkable

    def add(
        self,
        severity: Severity,
        code: str,
        node: str | None,
        fld: str | None,
        message: str,
        pointer: str = "",
        position: int | None = None,
    ) -> None:
        self.issues.append(Issue(severity, code, node, fld, message, pointer, position))

    def run(self) -> Report:
        issues, pruned = parse_pruned(self.doc)
        self.issues += issues
        if pruned is None:
            return Report(self.issues, None)
        wf, self.opaque = pruned.workflow, pruned.opaque
        if "name" not in pruned.broken:
            self.issues += name_issues(wf.name)
        self._index(wf.steps, "", ())
        if "trigger" not in pruned.broken:
            trigger_issues, self.input_props = check_trigger(wf)
            self.issues += trigger_issues
        self._walk(wf.steps)
        required = required_permissions(wf, self.actions)
        narrowest = self.roles.narrowest(required)
        name = narrowest.name if narrowest else None
        if "run_as" not in pruned.broken:
            self.issues += check_role(self.roles, wf.run_as, required, name)
        ok = not any(i.severity == "error" for i in self.issues)
        why = self.roles.why_narrowest(required)
        return Report(self.issues, wf if ok else None, frozenset(required), name, why)

    # -- structure of the graph
    def _index(
        self, steps: list[Node], ptr: str, anc: tuple[tuple[str, str], ...], key: str = "steps"
    ) -> None:
        if len(anc) > MAX_DEPTH:
            node = steps[0] if steps else None
            self.add(
                "error",
                "limits.depth",
                node.id if node else None,
                None,
                f"flows nest {len(anc)} deep; at most {MAX_DEPTH} levels are allowed: "
                "move the inner part to a separate workflow or flatten it",
                ptr,
            )
            return
        for i, node in enumerate(steps):
            p = pointers.join(ptr, key, i)
            if node.id in self.places:
                first = self.places[node.id].pointer
                self.add(
                    "error",
                    "id.duplicate",
                    node.id,
                    "id",
                    f"id '{node.id}' is already used by the node at {first}; "
                    "ids must be unique across the workflow: rename one of them",
                    p,
                )
            else:
                self.places[node.id] = Place(node, p, anc, len(self.places))
            for branch, body in children(node):
                self._index(body, p, (*anc, (node.id, branch)), branch)
        if not anc and len(self.places) > MAX_NODES:
            self.add(
                "error",
                "limits.nodes",
                None,
                "steps",
                f"{len(self.places)} nodes; a workflow may have at most {MAX_NODES}: "
                "split it into several workflows",
                "/steps",
            )

    # -- the steps, in run order
    def _walk(self, steps: list[Node]) -> None:
        for node, ptr, scope in walk(steps, item_type=self._item_type):
            kinds = self._kinds(scope)
            if isinstance(node, ActionNode):
                self._check_action(node, ptr, scope)
                spec = self.actions.find(node.action)
                fields = spec.input_model.model_fields if spec else {}
                for name, info in fields.items():
                    key = info.alias or name
                    if key in node.with_:
                        found = typed.check_param(key, node.with_[key], info.annotation, kinds)
                        self._typed(node, f"with.{key}", pointers.join(ptr, "with", key), found)
            elif isinstance(node, IfElseNode):
                self._check_value(node, "condition", node.condition, ptr, scope)
                found = typed.check_condition(node.condition, kinds)
                self._typed(node, "condition", pointers.join(ptr, "condition"), found)
            else:
                self._check_loop(node, ptr, scope)
                found = typed.check_items(node.items, kinds)
                self._typed(node, "items", pointers.join(ptr, "items"), found)

    def _typed(self, node: AnyNode, fld: str, ptr: str, found: list[typed.Problem]) -> None:
        for p in found:
            self.add("error", p.code, node.id, fld, p.message, ptr, p.position)

    def _kinds(self, scope: Scope) -> typed.KindOf:
        """What a reference gives at a node with ``scope``: the typed checks' resolver."""

        def kind(root: str, path: tuple[str | int, ...]) -> typed.Kind:
            if root == "input":
                if self.input_props is None:
                    return "unknown"
                return typed.kind_of_schema(typed.schema_at(self.input_props, path))
            if root == "loop":
                return "number" if path == ("index",) and scope.loops else "unknown"
            if root == "steps" and len(path) == 2 and path[1] == "status":
                return "string"
            return typed.kind_of_type(self._ref_type(ex.Reference(root, path, 0, False), scope))

        return kind

    def _check_loop(self, node: LoopNode, ptr: str, scope: Scope) -> None:
        self._check_value(node, "items", node.items, ptr, scope)
        if isinstance(node.items, list) and len(node.items) > node.max_iterations:
            self.add(
                "error",
                "loop.too_many",
                node.id,
                "items",
                f"{len(node.items)} items but max_iterations is {node.max_iterations}: "
                "raise the bound or shorten the list",
                pointers.join(ptr, "items"),
            )
        name = node.as_
        problem = None
        if not name.isidentifier() or name.startswith("_"):
            problem = "is not a plain name"
        elif name in _RESERVED_NAMES or name in ex.FUNCTIONS:
            problem = "is a reserved name"
        elif name in scope.loop_vars:
            problem = f"is already the variable of the enclosing loop '{scope.loop_vars[name][0]}'"
        if problem:
            self.add(
                "error",
                "loop.as",
                node.id,
                "as",
                f"loop variable '{name}' {problem}: choose another name",
                pointers.join(ptr, "as"),
            )

    def _item_type(self, node: LoopNode, scope: Scope) -> Any:
        """The element type of a loop's list when it is one reference to a typed list."""
        items = node.items
        if not isinstance(items, str) or not ex.is_template(items):
            return Any
        try:
            tpl = ex.parse_template(items)
        except ExpressionError:
            return Any
        refs = tpl.references()
        if not tpl.single or len(refs) != 1:
            return Any
        tp = self._ref_type(refs[0], scope)
        if typing.get_origin(tp) is list:
            return typing.get_args(tp)[0]
        return Any

    def _check_action(self, node: ActionNode, ptr: str, scope: Scope) -> None:
        spec = self.actions.find(node.action)
        if spec is None:
            close = difflib.get_close_matches(node.action, [s.name for s in self.actions], 3)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            self.add(
                "error",
                "action.unknown",
                node.id,
                "action",
                f"no action '{node.action}' in the catalogue; {hint}`wfbench actions` lists them",
                pointers.join(ptr, "action"),
            )
        else:
            self.issues += check_params(node, spec, ptr)
        for key, value in node.with_.items():
            self._check_value(node, f"with.{key}", value, pointers.join(ptr, "with", key), scope)

    # -- expressions and references
    def _check_value(self, node: AnyNode, fld: str, value: Any, ptr: str, scope: Scope) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                self._check_value(node, f"{fld}.{k}", v, pointers.join(ptr, k), scope)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self._check_value(node, f"{fld}[{i}]", v, pointers.join(ptr, i), scope)
        elif isinstance(value, str) and ex.is_template(value):
            try:
                tpl = ex.parse_template(value)
            except ExpressionError as exc:
                self.add("error", exc.code, node.id, fld, str(exc), ptr, exc.position)
                return
            for ref in tpl.references():
                self._check_ref(node, fld, ref, ptr, scope)

    def _check_ref(
        self, node: AnyNode, fld: str, ref: ex.Reference, ptr: str, scope: Scope
    ) -> None:
        def report(code: str, message: str, severity: Severity = "error") -> None:
            self.add(severity, code, node.id, fld, message, ptr, ref.position)

        if ref.root == "input":
            self._check_input_ref(ref, report)
        elif ref.root == "steps":
            self._check_step_ref(node, ref, scope, report)
        elif ref.root == "loop":
            if not scope.loops:
                report(
                    "ref.out_of_scope",
                    "'loop' exists only inside a loop body: "
                    "move this step into the loop or drop loop.index",
                )
            elif ref.path and ref.path[0] != "index":
                report("ref.unknown_field", f"loop has only 'index', not '{ref.path[0]}'")
        elif ref.root in scope.loop_vars:
            _, tp = scope.loop_vars[ref.root]
            self._check_path(tp, ref.path, f"'{ref.root}'", report)
        else:
            owner = next(
                (
                    p
                    for p in self.places.values()
                    if isinstance(p.node, LoopNode) and p.node.as_ == ref.root
                ),
                None,
            )
            if owner is not None:
                report(
                    "ref.out_of_scope",
                    f"'{ref.root}' is the variable of loop "
                    f"'{owner.node.id}' and exists only inside its body",
                )
            else:
                names = ["input", "steps", *scope.loop_vars, *(["loop"] if scope.loops else [])]
                report(
                    "ref.unknown_name",
                    f"unknown name '{ref.root}'; names in scope here are: {', '.join(names)}",
                )

    def _check_input_ref(self, ref: ex.Reference, report: Any) -> None:
        if self.input_props is None or not ref.path:
            return
        name = ref.path[0]
        if name not in self.input_props:
            close = difflib.get_close_matches(str(name), list(self.input_props), 1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            report(
                "ref.unknown_input",
                f"input.{name} is not in the input schema; {hint}"
                f"its fields are: {', '.join(self.input_props)}; "
                "add the field to the trigger's input schema or fix the name",
            )

    def _check_step_ref(self, node: AnyNode, ref: ex.Reference, scope: Scope, report: Any) -> None:
        if not ref.path:
            return
        sid = ref.path[0]
        if not isinstance(sid, str) or sid in self.opaque:
            return
        target = self.places.get(sid)
        if target is None:
            close = difflib.get_close_matches(sid, list(self.places), 1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            report(
                "ref.unknown_step",
                f"no step '{sid}' in this workflow; {hint}reference an existing step id",
            )
            return
        if sid == node.id:
            report(
                "ref.self",
                f"a step cannot read its own output (steps.{sid}); "
                "read an earlier step or the input instead",
            )
            return
        if sid not in scope.ran:
            report(*self._why_unavailable(node, target))
            return
        if len(ref.path) >= 2 and ref.path[1] not in ("output", "status"):
            report(
                "ref.unknown_field", f"steps.{sid} has 'output' and 'status', not '{ref.path[1]}'"
            )
            return
        reading_output = len(ref.path) >= 2 and ref.path[1] == "output"
        if reading_output and scope.ran[sid] and not ref.guarded:
            report(
                "ref.maybe_skipped",
                f"'{sid}' sits in an if-else branch that may not have "
                f"run; a skipped step reads as null: wrap it as default(steps.{sid}...., x)",
                "warning",
            )
        if reading_output:
            self._check_path(
                output_type(target.node, self.actions),
                ref.path[2:],
                f"the output of '{sid}'",
                report,
            )

    def _why_unavailable(self, node: AnyNode, target: Place) -> tuple[str, str]:
        here = self.places.get(node.id)
        sid = target.node.id
        here_anc = here.ancestors if here else ()
        later = (
            "ref.not_yet_run",
            f"'{sid}' runs later than this step; move this step after '{sid}' "
            "or read something that has already run",
        )
        for cid, branch in target.ancestors:
            if cid == node.id:
                return "ref.not_yet_run", f"'{sid}' is inside '{node.id}' and runs after it"
            other = next((b for c, b in here_anc if c == cid), None)
            if other is not None and other != branch:
                return (
                    "ref.other_branch",
                    f"'{sid}' is in the {branch} branch of '{cid}' and this step is in "
                    f"its {other} branch: only one of them runs; read a step before "
                    f"'{cid}' instead",
                )
        if here is None or target.order > here.order:
            return later
        loop = next(
            (c for c, b in target.ancestors if b == "steps" and (c, b) not in here_anc), None
        )
        if loop is not None:
            return (
                "ref.out_of_scope",
                f"'{sid}' runs inside loop '{loop}', once per item; after the loop read "
                f"steps.{loop}.output[i].{sid}",
            )
        return later

    def _ref_type(self, ref: ex.Reference, scope: Scope) -> Any:
        if ref.root == "steps" and len(ref.path) >= 2 and ref.path[1] == "output":
            if not isinstance(ref.path[0], str):
                return Any
            place = self.places.get(str(ref.path[0]))
            if place is None or place.node.id not in scope.ran:
                return Any
            return type_at(output_type(place.node, self.actions), ref.path[2:])[0]
        if ref.root in scope.loop_vars:
            return type_at(scope.loop_vars[ref.root][1], ref.path)[0]
        return Any

    def _check_path(self, tp: Any, path: tuple[str | int, ...], what: str, report: Any) -> None:
        _, problem = type_at(tp, path)
        if problem:
            report("ref.unknown_field", f"{what}: {problem}")

    # -- the run-as role


__all__ = ["Checker", "Place"]
