"""Structure: pydantic's verdict on a raw document, turned into issues and placeholders.

:func:`validate` takes a raw JSON document (not a model) so that it can report
structural problems (a missing ``max_iterations``, an unknown ``kind``) *and*
still check the rest of the workflow. :func:`parse_pruned` replaces each node
pydantic refuses by a placeholder (an action named :data:`BROKEN`, keeping the
node's id and place, so every other pointer stays right) and each broken
top-level field by a neutral value, until the rest parses. References to a
pruned node are not reported a second time: its id is *opaque*.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from wfbench import pointers
from wfbench.model import (
    ID_PATTERN,
    MAX_ITERATIONS_CAP,
    ActionNode,
    IfElseNode,
    LoopNode,
    Workflow,
    iter_nodes,
)
from wfbench.validation.issues import Issue, dotted

AnyNode = ActionNode | IfElseNode | LoopNode

CHILD_KEYS = ("steps", "then", "else")
_KINDS = ("action", "if_else", "loop")
BROKEN = "<broken node>"  # the action of a placeholder for a node pydantic refused


@dataclass
class Pruned:
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


def _node_split(doc: Any, path: list[int | str]) -> tuple[int, str | None]:
    """Index in ``path`` just after the innermost node, and that node's id."""
    cur = doc
    cut, node_id = 0, None
    for i, seg in enumerate(path):
        parent_key = path[i - 1] if i else None
        cur = cur[seg]
        if isinstance(seg, int) and parent_key in CHILD_KEYS and isinstance(cur, dict):
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
        field_name = dotted(full[cut:]) or None
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
        parent[path[-1]] = {"id": placeholder_id, "kind": "action", "action": BROKEN}
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


def ids_in(value: Any) -> Iterator[str]:
    """Every string node id in a raw document or node, nested ones included."""
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            yield value["id"]
        for key in CHILD_KEYS:
            children = value.get(key)
            if isinstance(children, list):
                for child in children:
                    yield from ids_in(child)


def parse_pruned(doc: dict[str, Any]) -> tuple[list[Issue], Pruned | None]:
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
        kept = {n.id for n in iter_nodes(wf.steps) if not is_broken(n)}
        opaque = set(ids_in(doc)) - kept | {n.id for n in iter_nodes(wf.steps) if is_broken(n)}
        return issues, Pruned(wf, opaque, broken)
    return issues, None


def is_broken(node: AnyNode) -> bool:
    return isinstance(node, ActionNode) and node.action == BROKEN


__all__ = ["BROKEN", "CHILD_KEYS", "AnyNode", "Pruned", "ids_in", "is_broken", "parse_pruned"]
