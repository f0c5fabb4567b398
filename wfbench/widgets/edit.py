"""Edits of a draft definition document: insert, remove, move, rename, replace a node.

The canvas keeps its draft as the raw ``wfbench/v1`` document (a dict), not a
:class:`~wfbench.model.Workflow`: a draft in the middle of being edited is
often invalid (a loop without a bound, a required parameter not filled in yet)
and must still be drawn, saved-and-refused, and flagged node by node. These
functions change such a document **in place**; they never validate it, that
is the validator's job when the person clicks Save.

Pure and widget-free, so each edit is tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wfbench.model import ID_PATTERN

Doc = dict[str, Any]
NodeDict = dict[str, Any]

#: Where a new node goes: after a node (or the trigger), or at the end of a branch.
BRANCHES = ("then", "else", "steps")


def iter_lists(doc: Doc) -> Iterator[tuple[str | None, str, list[NodeDict]]]:
    """Every step list of the document as ``(owner id or None, key, list)``, depth first."""

    def walk(owner: str | None, key: str, steps: list[NodeDict]) -> Iterator[Any]:
        yield owner, key, steps
        for node in steps:
            for branch in BRANCHES:
                body = node.get(branch)
                if isinstance(body, list) and node.get("kind") in ("if_else", "loop"):
                    yield from walk(node.get("id"), branch, body)

    steps = doc.setdefault("steps", [])
    yield from walk(None, "steps", steps)


def iter_nodes(doc: Doc) -> Iterator[NodeDict]:
    """Every node of the document, depth first, in document order."""
    for _, _, steps in iter_lists(doc):
        yield from (n for n in steps if isinstance(n, dict))


def locate(doc: Doc, node_id: str) -> tuple[list[NodeDict], int] | None:
    """The list holding node ``node_id`` and its index there, or ``None``."""
    for _, _, steps in iter_lists(doc):
        for i, node in enumerate(steps):
            if isinstance(node, dict) and node.get("id") == node_id:
                return steps, i
    return None


def find(doc: Doc, node_id: str) -> NodeDict | None:
    """Node ``node_id`` of the document, or ``None``."""
    where = locate(doc, node_id)
    return where[0][where[1]] if where else None


def ids(doc: Doc) -> set[str]:
    """Every node id in the document."""
    return {str(n.get("id")) for n in iter_nodes(doc)}


def unique_id(doc: Doc, base: str) -> str:
    """``base`` made a valid node id not used yet (``users_get``, ``users_get_2`` …)."""
    stem = re.sub(r"[^a-z0-9_]+", "_", base.lower()).strip("_") or "step"
    if not stem[0].isalpha():
        stem = "s_" + stem
    taken = ids(doc)
    if stem not in taken:
        return stem
    n = 2
    while f"{stem}_{n}" in taken:
        n += 1
    return f"{stem}_{n}"


def valid_id(node_id: str) -> bool:
    """Whether ``node_id`` matches the format's id pattern (``[a-z][a-z0-9_]*``)."""
    return re.fullmatch(ID_PATTERN.strip("^$"), node_id) is not None and len(node_id) <= 64


def insert(
    doc: Doc,
    node: NodeDict,
    *,
    after: str | None = None,
    into: str | None = None,
    branch: str | None = None,
) -> None:
    """Insert ``node`` after node ``after`` (``None``: first step), or at the end of
    the ``branch`` (``then``, ``else`` or ``steps``) of node ``into``."""
    if into is not None:
        owner = find(doc, into)
        if owner is None or branch not in BRANCHES:
            raise KeyError(f"no branch {branch!r} of node {into!r}")
        owner.setdefault(branch, []).append(node)
        return
    if after is None:
        doc.setdefault("steps", []).insert(0, node)
        return
    where = locate(doc, after)
    if where is None:
        raise KeyError(f"no node {after!r}")
    steps, i = where
    steps.insert(i + 1, node)


def remove(doc: Doc, node_id: str) -> NodeDict:
    """Remove node ``node_id`` (with everything inside it) and return it."""
    where = locate(doc, node_id)
    if where is None:
        raise KeyError(f"no node {node_id!r}")
    steps, i = where
    return steps.pop(i)


def move(doc: Doc, node_id: str, delta: int) -> bool:
    """Move a node ``delta`` places within its list; ``False`` when it cannot go further."""
    where = locate(doc, node_id)
    if where is None:
        raise KeyError(f"no node {node_id!r}")
    steps, i = where
    j = i + delta
    if not 0 <= j < len(steps):
        return False
    steps[i], steps[j] = steps[j], steps[i]
    return True


def replace(doc: Doc, node_id: str, node: NodeDict) -> None:
    """Put ``node`` where node ``node_id`` is (its children are the caller's to keep)."""
    where = locate(doc, node_id)
    if where is None:
        raise KeyError(f"no node {node_id!r}")
    steps, i = where
    steps[i] = node


def rename(doc: Doc, old: str, new: str) -> None:
    """Give node ``old`` the id ``new`` and rewrite ``steps.old`` references everywhere."""
    node = find(doc, old)
    if node is None:
        raise KeyError(f"no node {old!r}")
    node["id"] = new
    pattern = re.compile(rf"(?<![\w.])steps\.{re.escape(old)}\b")

    def fix(value: Any) -> Any:
        if isinstance(value, str) and "{{" in value:
            return pattern.sub(f"steps.{new}", value)
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        return value

    for each in iter_nodes(doc):
        for key in ("with", "condition", "items"):
            if key in each:
                each[key] = fix(each[key])


def new_node(kind: str, node_id: str, action: str | None = None) -> NodeDict:
    """A fresh node of ``kind`` as the "+" button adds it."""
    if kind == "action":
        return {"id": node_id, "kind": "action", "action": action or "core.log", "with": {}}
    if kind == "if_else":
        return {"id": node_id, "kind": "if_else", "condition": "{{ true }}", "then": [], "else": []}
    if kind == "loop":
        return {
            "id": node_id,
            "kind": "loop",
            "items": "{{ [] }}",
            "as": "item",
            "max_iterations": 100,
            "steps": [],
        }
    raise ValueError(f"unknown node kind {kind!r}; use action, if_else or loop")
