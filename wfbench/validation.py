"""Whole-workflow validation: every problem at once, each on its node and field.

:func:`validate` takes a raw JSON document (not a model) so that it can report
structural problems (a missing ``max_iterations``, an unknown ``kind``) *and*
still check the rest of the workflow: broken nodes are pruned from a copy of
the document, the remainder is parsed, and the semantic checks run on that.
References to a pruned node are not reported a second time.

Every :class:`Issue` has a stable ``code``. The codes:

=====================  ======================================================
``workflow.invalid``   the document is not a JSON object
``format.unknown``     ``format`` is not ``wfbench/v1``
``type.unknown``       ``type`` is not ``manual``
``name.missing``       the workflow has no (non-blank) name
``field.missing``      a required field is absent
``field.unknown``      a field the format does not have
``field.invalid``      a field of the wrong type or out of range
``node.kind``          a node's ``kind`` is missing or unknown
``id.invalid``         a node id that is not ``[a-z][a-z0-9_]*``
``id.duplicate``       a node id used more than once
``action.unknown``     an action that is not in the catalogue
``param.missing``      a required action parameter is absent
``param.unknown``      a parameter the action does not take
``param.one_of``       none of a set of alternative parameters is given
``param.type``         a literal parameter value of the wrong type
``expr.syntax``        an expression that does not parse
``expr.unsafe``        an expression that uses something refused
``ref.unknown_input``  ``input.X`` where the input schema has no ``X``
``ref.unknown_step``   ``steps.X`` where no step ``X`` exists
``ref.self``           a step that reads its own output
``ref.not_yet_run``    a step that reads a step that runs later
``ref.other_branch``   a step that reads the other branch of the same if-else
``ref.out_of_scope``   a loop variable or loop body step read outside its loop
``ref.unknown_field``  an output field the referenced action does not return
``ref.unknown_name``   a name that is not in scope
``ref.maybe_skipped``  (warning) reads a step that may have been skipped
``loop.unbounded``     a loop without ``max_iterations``
``loop.bound``         ``max_iterations`` or ``concurrency`` out of range
``loop.as``            a loop variable name that clashes or is not a name
``loop.too_many``      a literal ``items`` list longer than ``max_iterations``
``limits.nodes``       more nodes than :data:`~wfbench.model.MAX_NODES`
``limits.depth``       flows nested deeper than :data:`~wfbench.model.MAX_DEPTH`
``schema.invalid``     the input schema is not a valid JSON Schema
``schema.sample``      the sample input does not satisfy the input schema
``role.missing``       no ``run_as``
``role.unknown``       ``run_as`` names no role
``role.too_narrow``    ``run_as`` lacks permissions some action needs
``role.broader``       (warning) ``run_as`` is broader than needed
=====================  ======================================================
"""

from __future__ import annotations

import copy
import difflib
import re
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jsonschema
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from wfbench import expressions as ex
from wfbench import pointers
from wfbench.actions import ActionRegistry, ActionSpec, builtin_registry
from wfbench.errors import DefinitionError, ExpressionError, WfbenchError
from wfbench.issues import Issue, Severity
from wfbench.model import (
    ID_PATTERN,
    MAX_DEPTH,
    MAX_ITERATIONS_CAP,
    MAX_NODES,
    ActionNode,
    IfElseNode,
    LoopNode,
    Node,
    Workflow,
    children,
)
from wfbench.roles import PERMISSIONS, RoleRegistry, missing_permissions

AnyNode = ActionNode | IfElseNode | LoopNode

_CHILD_KEYS = ("steps", "then", "else")
_KINDS = ("action", "if_else", "loop")
_RESERVED_NAMES = frozenset({"input", "steps", "loop", "true", "false", "null"})
_BROKEN = "<broken node>"  # the action of a placeholder for a node pydantic refused


@dataclass
class Report:
    """The outcome of :func:`validate`: every issue, and the model when it parsed."""

    issues: list[Issue]
    workflow: Workflow | None
    required_permissions: frozenset[str] = frozenset()
    narrowest_role: str | None = None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings do not block a save)."""
        return not self.errors

    def raise_for_errors(self, *, source: str = "workflow") -> None:
        """Raise :class:`DefinitionError` with every issue when any is an error."""
        if not self.valid:
            raise DefinitionError(self.issues, source=source)


def validate(
    doc: Any,
    *,
    actions: ActionRegistry | None = None,
    roles: RoleRegistry | None = None,
) -> Report:
    """Check a whole workflow document and return every issue found."""
    actions = actions if actions is not None else _default_actions()
    roles = roles if roles is not None else RoleRegistry()
    if not isinstance(doc, dict):
        kind = type(doc).__name__
        msg = f"a workflow is a JSON object, not a {kind}; start from `wfbench schema`"
        return Report([Issue.make("error", "workflow.invalid", None, None, msg, "")], None)
    checker = _Checker(doc, actions, roles)
    return checker.run()


@lru_cache(maxsize=1)
def _default_actions() -> ActionRegistry:
    return builtin_registry()


# --------------------------------------------------------------------------- structure


@dataclass
class _Pruned:
    workflow: Workflow
    opaque: set[str]  # ids of nodes that were pruned: references to them are not checked
    broken: set[str]  # top-level fields replaced by placeholders


def _walk_loc(doc: Any, loc: tuple[int | str, ...]) -> tuple[list[int | str], list[int | str]]:
    """Split a pydantic error location into (path that exists in doc, rest).

    Discriminator tags that pydantic inserts (``('steps', 0, 'loop', ...)``) are dropped.
    """
    cur = doc
    found: list[int | str] = []
    rest = list(loc)
    while rest:
        seg = rest[0]
        after_index = bool(found) and isinstance(found[-1], int)
        if after_index and isinstance(cur, dict) and seg in _KINDS and cur.get("kind") == seg:
            rest.pop(0)  # a discriminator tag, not a key of the document
            continue
        if isinstance(cur, dict) and isinstance(seg, str) and seg in cur:
            cur = cur[seg]
        elif isinstance(cur, list) and isinstance(seg, int) and 0 <= seg < len(cur):
            cur = cur[seg]
        else:
            break
        found.append(seg)
        rest.pop(0)
    return found, rest


def _dotted(path: Iterable[int | str]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _node_split(doc: Any, path: list[int | str]) -> tuple[int, str | None]:
    """Index in ``path`` just after the innermost node, and that node's id."""
    cur = doc
    cut, node_id = 0, None
    for i, seg in enumerate(path):
        parent_key = path[i - 1] if i else None
        cur = cur[seg]
        if isinstance(seg, int) and parent_key in _CHILD_KEYS and isinstance(cur, dict):
            cut = i + 1
            raw_id = cur.get("id")
            node_id = raw_id if isinstance(raw_id, str) else pointers.build(path[: i + 1])
    return cut, node_id


def _classify(err: ErrorDetails, field_name: str | None, at_top: bool) -> tuple[str, str]:
    etype: str = err["type"]
    last = field_name.rsplit(".", 1)[-1] if field_name else ""
    msg: str = err["msg"]
    if etype in ("union_tag_invalid", "union_tag_not_found"):
        return "node.kind", "kind must be one of action, if_else, loop"
    if last == "max_iterations" and etype == "missing":
        return "loop.unbounded", (
            f'a loop needs a bound: add "max_iterations": N (1 to {MAX_ITERATIONS_CAP})'
        )
    if last in ("max_iterations", "concurrency") and etype.endswith(("than", "than_equal")):
        return "loop.bound", f"{last}: {msg.lower()}; choose a value in range"
    if last == "id" and etype in ("string_pattern_mismatch", "string_too_long"):
        return "id.invalid", (
            "an id is lower-case letters, digits and _, starting with a letter (at most 64)"
        )
    if at_top and last == "name":
        return "name.missing", "a workflow needs a name: give it a short, unique one"
    if at_top and last == "run_as" and etype == "missing":
        return "role.missing", "choose a run-as role (`wfbench roles` lists them)"
    if at_top and last == "format":
        return "format.unknown", f'unknown format {err["input"]!r}: set "format": "wfbench/v1"'
    if at_top and last == "type":
        return "type.unknown", (
            f"unknown type {err['input']!r}: only manual workflows exist in this version; "
            'set "type": "manual"'
        )
    if etype == "missing":
        return "field.missing", f"'{last}' is required: add it"
    if etype == "extra_forbidden":
        return "field.unknown", f"unknown field '{last}': remove it or check its spelling"
    return "field.invalid", f"{msg}; fix the value"


def _structural(
    doc: dict[str, Any], exc: ValidationError
) -> tuple[list[Issue], dict[str, Any], set[str]]:
    """Issues for pydantic's errors, a copy of ``doc`` with the broken parts pruned, and the
    top-level fields that were replaced."""
    issues: list[Issue] = []
    prune_nodes: set[tuple[int | str, ...]] = set()
    prune_top: set[str] = set()
    for err in exc.errors(include_url=False):
        found, rest = _walk_loc(doc, tuple(err["loc"]))
        cut, node_id = _node_split(doc, found)
        full = found + rest
        field_name = _dotted(full[cut:]) or None
        code, hint = _classify(err, field_name, at_top=cut == 0)
        if code == "node.kind":
            field_name = "kind"
        issues.append(Issue.make("error", code, node_id, field_name, hint, pointers.build(full)))
        if cut:
            prune_nodes.add(tuple(found[:cut]))
        elif full:
            prune_top.add(str(full[0]))
    fixed = copy.deepcopy(doc)
    # Replace the outermost broken nodes by placeholders, so every other node keeps its place
    # (and its JSON pointer) and references to a broken node are not reported again.
    for path in prune_nodes:
        if any(len(o) < len(path) and path[: len(o)] == o for o in prune_nodes):
            continue
        parent: Any = fixed
        for seg in path[:-1]:
            parent = parent[seg]
        raw = parent[path[-1]]
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        keep = isinstance(raw_id, str) and re.fullmatch(ID_PATTERN, raw_id) and len(raw_id) <= 64
        placeholder_id = raw_id if keep else f"broken_node_{len(issues)}_{path[-1]}"
        parent[path[-1]] = {"id": placeholder_id, "kind": "action", "action": _BROKEN}
    placeholders = {
        "name": "?",
        "run_as": "?",
        "steps": [],
        "format": "wfbench/v1",
        "type": "manual",
    }
    for key in prune_top:
        if key in placeholders:
            fixed[key] = placeholders[key]
        else:
            fixed.pop(key, None)
    return issues, fixed, prune_top


def _ids_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            yield value["id"]
        for key in _CHILD_KEYS:
            for child in value.get(key) or []:
                yield from _ids_in(child)


def _parse_pruned(doc: dict[str, Any]) -> tuple[list[Issue], _Pruned | None]:
    """Parse ``doc``, pruning what pydantic refuses until the rest parses (a few rounds)."""
    issues: list[Issue] = []
    broken: set[str] = set()
    current = doc
    for _ in range(6):
        try:
            wf = Workflow.model_validate(current)
        except ValidationError as exc:
            new, current, top = _structural(current, exc)
            issues += new
            broken |= top
            continue
        kept = {n.id for n in _iter_all(wf.steps) if not _is_broken(n)}
        opaque = set(_ids_in(doc)) - kept | {n.id for n in _iter_all(wf.steps) if _is_broken(n)}
        return issues, _Pruned(wf, opaque, broken)
    return issues, None


def _is_broken(node: AnyNode) -> bool:
    return isinstance(node, ActionNode) and node.action == _BROKEN


def _iter_all(steps: list[Node]) -> Iterator[AnyNode]:
    for node in steps:
        yield node
        for _, body in children(node):
            yield from _iter_all(body)


# --------------------------------------------------------------------------- semantics


@dataclass(frozen=True)
class _Place:
    """Where a node sits: its pointer, enclosing flows, and depth."""

    node: AnyNode
    pointer: str
    # (container id, branch or "steps") from outermost to innermost
    ancestors: tuple[tuple[str, str], ...]
    order: int  # position in document order


@dataclass
class _Scope:
    """What an expression may read at one point of the graph."""

    ran: dict[str, bool] = field(default_factory=dict)  # step id -> may have been skipped
    loop_vars: dict[str, tuple[str, Any]] = field(default_factory=dict)  # name -> (loop id, type)
    loops: tuple[str, ...] = ()
    added: list[str] = field(default_factory=list)  # ids this scope added to what it was given

    def child(self) -> _Scope:
        return _Scope(dict(self.ran), dict(self.loop_vars), self.loops)

    def mark(self, step_id: str, maybe_skipped: bool = False) -> None:
        """``step_id`` has run (or may have been skipped) by this point."""
        if step_id not in self.ran:
            self.added.append(step_id)
            self.ran[step_id] = maybe_skipped


class _Checker:
    def __init__(self, doc: dict[str, Any], actions: ActionRegistry, roles: RoleRegistry) -> None:
        self.doc = doc
        self.actions = actions
        self.roles = roles
        self.issues: list[Issue] = []
        self.places: dict[str, _Place] = {}
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
        issues, pruned = _parse_pruned(self.doc)
        self.issues += issues
        if pruned is None:
            return Report(self.issues, None)
        wf, self.opaque = pruned.workflow, pruned.opaque
        self._index(wf.steps, "", ())
        self._check_trigger(wf, "trigger" in pruned.broken)
        self._walk(wf.steps, "", _Scope())
        required = self._required_permissions(wf)
        narrowest = self.roles.narrowest(required)
        if "run_as" not in pruned.broken:
            self._check_role(wf.run_as, required, narrowest.name if narrowest else None)
        ok = not any(i.severity == "error" for i in self.issues)
        return Report(
            self.issues,
            wf if ok else None,
            frozenset(required),
            narrowest.name if narrowest else None,
        )

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
                self.places[node.id] = _Place(node, p, anc, len(self.places))
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

    # -- the trigger
    def _check_trigger(self, wf: Workflow, broken: bool) -> None:
        if broken:
            return
        schema = wf.trigger.input_schema
        validator_cls = jsonschema.Draft202012Validator
        schema_errors = sorted(
            validator_cls(validator_cls.META_SCHEMA).iter_errors(schema),
            key=lambda e: list(e.absolute_path),
        )
        for err in schema_errors:
            where = list(err.absolute_path)
            self.add(
                "error",
                "schema.invalid",
                None,
                _dotted(["trigger", "input_schema", *where]),
                f"the input schema is not a valid JSON Schema: {err.message}; "
                "fix it (draft 2020-12)",
                pointers.build(["trigger", "input_schema", *where]),
            )
        if schema_errors:
            return
        if schema.get("type", "object") != "object":
            self.add(
                "error",
                "schema.invalid",
                None,
                "trigger.input_schema.type",
                'the run-time input is a JSON object: set "type": "object"',
                "/trigger/input_schema/type",
            )
            return
        props = schema.get("properties")
        closed = isinstance(props, dict) and (
            bool(props) or schema.get("additionalProperties") is False
        )
        self.input_props = props if closed and isinstance(props, dict) else None
        if wf.trigger.sample_input is not None:
            validator = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
            for err in sorted(
                validator.iter_errors(wf.trigger.sample_input), key=lambda e: list(e.absolute_path)
            ):
                where = list(err.absolute_path)
                self.add(
                    "error",
                    "schema.sample",
                    None,
                    _dotted(["trigger", "sample_input", *where]),
                    f"the sample input does not fit the input schema: {err.message}; "
                    "change the sample or the schema",
                    pointers.build(["trigger", "sample_input", *where]),
                )

    # -- the steps, in run order
    def _walk(self, steps: list[Node], ptr: str, scope: _Scope, key: str = "steps") -> None:
        for i, node in enumerate(steps):
            p = pointers.join(ptr, key, i)
            if isinstance(node, ActionNode):
                self._check_action(node, p, scope)
            elif isinstance(node, IfElseNode):
                self._check_value(node, "condition", node.condition, p, scope)
                branches = []
                for branch, body in children(node):  # each branch sees only what ran before
                    branches.append(inner := scope.child())
                    self._walk(body, p, inner, branch)
                for inner in branches:  # after the if-else, either branch may have run
                    for sid in inner.added:
                        scope.mark(sid, maybe_skipped=True)
            else:
                self._check_loop(node, p, scope)
            scope.mark(node.id)

    def _check_loop(self, node: LoopNode, ptr: str, scope: _Scope) -> None:
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
        inner = scope.child()
        inner.loop_vars[name] = (node.id, self._item_type(node.items, scope))
        inner.loops = (*scope.loops, node.id)
        self._walk(node.steps, ptr, inner, "steps")

    def _item_type(self, items: Any, scope: _Scope) -> Any:
        """The element type of a loop's list when it is one reference to a typed list."""
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

    def _check_action(self, node: ActionNode, ptr: str, scope: _Scope) -> None:
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
            self._check_params(node, spec, ptr)
        for key, value in node.with_.items():
            self._check_value(node, f"with.{key}", value, pointers.join(ptr, "with", key), scope)

    def _check_params(self, node: ActionNode, spec: ActionSpec, ptr: str) -> None:
        fields = _param_fields(spec)
        given = node.with_
        for key in given:
            if key not in fields:
                known = ", ".join(fields) or "none"
                self.add(
                    "error",
                    "param.unknown",
                    node.id,
                    f"with.{key}",
                    f"{spec.name} has no parameter '{key}'; its parameters are: {known}",
                    pointers.join(ptr, "with", key),
                )
        for key, (required, adapter) in fields.items():
            if key not in given:
                if required:
                    self.add(
                        "error",
                        "param.missing",
                        node.id,
                        f"with.{key}",
                        f"{spec.name} requires '{key}': add it under \"with\"",
                        pointers.join(ptr, "with"),
                    )
                continue
            value = given[key]
            if _has_template(value):
                continue
            try:
                adapter.validate_python(value)
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]["msg"]
                self.add(
                    "error",
                    "param.type",
                    node.id,
                    f"with.{key}",
                    f"'{key}' of {spec.name}: {first}; give a value of the right type "
                    "or an expression",
                    pointers.join(ptr, "with", key),
                )
        if spec.require_one_of and not any(k in given for k in spec.require_one_of):
            names = " or ".join(f"'{k}'" for k in spec.require_one_of)
            self.add(
                "error",
                "param.one_of",
                node.id,
                "with",
                f'{spec.name} needs {names}: add one under "with"',
                pointers.join(ptr, "with"),
            )

    # -- expressions and references
    def _check_value(self, node: AnyNode, fld: str, value: Any, ptr: str, scope: _Scope) -> None:
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
        self, node: AnyNode, fld: str, ref: ex.Reference, ptr: str, scope: _Scope
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

    def _check_step_ref(self, node: AnyNode, ref: ex.Reference, scope: _Scope, report: Any) -> None:
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
                self._output_type(target.node), ref.path[2:], f"the output of '{sid}'", report
            )

    def _why_unavailable(self, node: AnyNode, target: _Place) -> tuple[str, str]:
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

    def _output_type(self, node: AnyNode) -> Any:
        if isinstance(node, ActionNode):
            spec = self.actions.find(node.action)
            return spec.output_model if spec else Any
        if isinstance(node, IfElseNode):
            return dict[str, Any]
        return list[dict[str, Any]]

    def _ref_type(self, ref: ex.Reference, scope: _Scope) -> Any:
        if ref.root == "steps" and len(ref.path) >= 2 and ref.path[1] == "output":
            place = self.places.get(str(ref.path[0]))
            if place is None or place.node.id not in scope.ran:
                return Any
            return _type_at(self._output_type(place.node), ref.path[2:])[0]
        if ref.root in scope.loop_vars:
            return _type_at(scope.loop_vars[ref.root][1], ref.path)[0]
        return Any

    def _check_path(self, tp: Any, path: tuple[str | int, ...], what: str, report: Any) -> None:
        _, problem = _type_at(tp, path)
        if problem:
            report("ref.unknown_field", f"{what}: {problem}")

    # -- the run-as role
    def _required_permissions(self, wf: Workflow) -> set[str]:
        needed: set[str] = set()
        for node in _iter_all(wf.steps):
            if isinstance(node, ActionNode):
                spec = self.actions.find(node.action)
                if spec:
                    needed |= spec.permissions
        return needed

    def _check_role(self, run_as: str, required: set[str], narrowest: str | None) -> None:
        if run_as not in self.roles:
            hint = (
                f"'{narrowest}' is the narrowest role that covers every action; "
                if narrowest
                else ""
            )
            self.add(
                "error",
                "role.unknown",
                None,
                "run_as",
                f"no role '{run_as}'; {hint}roles are: {', '.join(self.roles.names())}",
                "/run_as",
            )
            return
        role = self.roles.get(run_as)
        missing = missing_permissions(role, required)
        if missing:
            fix = (
                f"choose '{narrowest}', the narrowest role that covers every action"
                if narrowest
                else "no built-in role covers them: define a custom role"
            )
            self.add(
                "error",
                "role.too_narrow",
                None,
                "run_as",
                f"run_as '{run_as}' lacks {', '.join(missing)}; {fix}",
                "/run_as",
            )
            return
        if role.builtin:
            best = self.roles.get(narrowest) if narrowest else None
            if best is not None and len(role.permissions) > len(best.permissions):
                self.add(
                    "warning",
                    "role.broader",
                    None,
                    "run_as",
                    f"run_as '{run_as}' grants more than the workflow needs; "
                    f"'{narrowest}' is the narrowest role that covers every action",
                    "/run_as",
                )
            return
        extra = [p for p in PERMISSIONS if p in role.permissions and p not in required]
        if extra:  # a custom role is judged by what it grants beyond the actions' needs
            self.add(
                "warning",
                "role.broader",
                None,
                "run_as",
                f"run_as '{run_as}' grants {', '.join(extra)}, which no action here needs; "
                "remove them from the role or choose a narrower one",
                "/run_as",
            )


# --------------------------------------------------------------------------- helpers


def _has_template(value: Any) -> bool:
    if isinstance(value, str):
        return ex.is_template(value)
    if isinstance(value, dict):
        return any(_has_template(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_template(v) for v in value)
    return False


@lru_cache(maxsize=512)
def _param_fields(spec: ActionSpec) -> dict[str, tuple[bool, TypeAdapter[Any]]]:
    """Parameter name -> (required, adapter for its type), from the input model."""
    out: dict[str, tuple[bool, TypeAdapter[Any]]] = {}
    for name, info in spec.input_model.model_fields.items():
        out[info.alias or name] = (
            info.is_required(),
            TypeAdapter(typing.cast(Any, info.annotation)),
        )
    return out


def _type_at(tp: Any, path: tuple[str | int, ...]) -> tuple[Any, str | None]:
    """Follow ``path`` through a type; return (type there, problem or None)."""
    done: list[str | int] = []
    for seg in path:
        tp = _unwrap_optional(tp)
        origin = typing.get_origin(tp)
        where = _dotted(done) or "it"
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


def _unwrap_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


__all__ = ["Issue", "Report", "WfbenchError", "validate"]
