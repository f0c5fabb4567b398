"""Workflow → cytoscape elements: a pure projection with a layered top-to-bottom layout.

The canvas, the run dialog and the history view all draw the same picture, so
the picture is one pure function, :func:`elements`, tested without a browser
(STYLE.md, example 9); the widget in :mod:`wfbench.widgets.cytoscape` is a thin
layer over it. Positions are computed here and sent as cytoscape's ``preset``
layout: a browser-side force layout of a 300-node graph took seconds, while
this takes milliseconds and always reads top to bottom.

The picture:

- a **trigger card** (id :data:`TRIGGER`) at the top and an **end** node
  (:data:`END`) at the bottom;
- one node per workflow node, with the workflow node's id as element id;
- an **if-else** node fans out into two columns, its edges labelled ``then``
  and ``else``, which join again at the next node;
- a **loop** is a compound node: its body is drawn inside it (each body node's
  ``data.parent`` is the loop id), so the body is visibly attached;
- an empty branch or loop body is drawn as a small **placeholder** node
  (``<id>@then``, ``<id>@else``, ``<id>@steps``) so its label stays visible and a
  person can select it to add the first step there.

The projection works on the raw definition document, so a half-edited draft
that does not validate yet still draws.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wfbench.model import Workflow, to_document
from wfbench.runs import STEP_STATUSES

#: Element id of the manual trigger card.
TRIGGER = "@trigger"
#: Element id of the end node.
END = "@end"
#: Step statuses that have a colour on the graph: every one (wfbench.runs, defined once).
STATUSES = STEP_STATUSES

NODE_W = 200.0
NODE_H = 48.0
PLACEHOLDER_W = 110.0
PLACEHOLDER_H = 30.0
GAP_X = 40.0
GAP_Y = 36.0
LOOP_PAD = 16.0
LOOP_HEADER = 34.0
_LABEL_MAX = 42

Element = dict[str, Any]


def placeholder_id(node_id: str, branch: str) -> str:
    """The element id of the placeholder of an empty ``then``/``else``/``steps`` list."""
    return f"{node_id}@{branch}"


def parse_placeholder(element_id: str) -> tuple[str, str] | None:
    """``(node id, branch)`` for a placeholder element id, else ``None``."""
    node_id, sep, branch = element_id.rpartition("@")
    if sep and node_id and branch in ("then", "else", "steps"):
        return node_id, branch
    return None


def status_classes(classes: str, status: str | None) -> str:
    """``classes`` with its ``status-*`` class replaced by ``status`` (or removed)."""
    kept = [c for c in classes.split() if not c.startswith("status-")]
    if status:
        kept.append(f"status-{status}")
    return " ".join(kept)


def node_statuses(steps: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """One status per node from a run's step records (a loop body step runs many times).

    A node that failed in any iteration shows ``failed``; else one still running
    shows ``running``; else ``succeeded``, ``simulated`` or ``skipped``, in that order.
    """
    rank = {"failed": 0, "running": 1, "succeeded": 2, "simulated": 3, "skipped": 4}
    out: dict[str, str] = {}
    for step in steps:
        node, status = step.get("node"), step.get("status")
        if not isinstance(node, str) or not isinstance(status, str):
            continue
        old = out.get(node)
        if old is None or rank.get(status, 9) < rank.get(old, 9):
            out[node] = status
    return out


def issue_targets(issues: Iterable[Any]) -> dict[str, list[tuple[str, str]]]:
    """``element id -> [(severity, message)]`` for issues that belong on the graph.

    Issues carry a node id; those about the trigger's schema or sample (no node,
    field ``trigger…``) go on the trigger card. Workflow-level issues (name,
    run-as) are not drawn: the canvas lists them above the graph.
    """
    out: dict[str, list[tuple[str, str]]] = {}
    for issue in issues:
        node = _get(issue, "node")
        fld = _get(issue, "field") or ""
        target = node if node else (TRIGGER if str(fld).startswith("trigger") else None)
        if target is None:
            continue
        out.setdefault(str(target), []).append(
            (str(_get(issue, "severity")), str(_get(issue, "message")))
        )
    return out


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key, None)


def elements(
    workflow: Workflow | Mapping[str, Any],
    *,
    statuses: Mapping[str, str] | None = None,
    issues: Iterable[Any] | None = None,
) -> dict[str, list[Element]]:
    """The cytoscape elements of ``workflow``: ``{"nodes": [...], "edges": [...]}``.

    Each node is ``{"data": {...}, "position": {"x", "y"}, "classes": "..."}``
    with ``data`` holding ``id``, ``label``, ``kind`` (``trigger``, ``action``,
    ``if_else``, ``loop``, ``placeholder``, ``end``), ``node`` (the workflow node
    id, or the owner of a placeholder), ``parent`` inside a loop, and
    ``tooltip`` (description and issue messages). ``statuses`` (node id → step
    status) adds ``status-<status>`` classes; ``issues`` (validation issues or
    their dicts) add ``invalid`` (errors) or ``warning`` classes. Parents come
    before their children, as cytoscape needs.
    """
    doc = to_document(workflow) if isinstance(workflow, Workflow) else workflow
    layout = _Layout(statuses or {}, issue_targets(issues or ()))
    return layout.run(doc)


@dataclass
class _Size:
    width: float
    height: float


@dataclass
class _Layout:
    statuses: Mapping[str, str]
    issues: Mapping[str, list[tuple[str, str]]]
    nodes: list[Element] = field(default_factory=list)
    edges: list[Element] = field(default_factory=list)
    _sizes: dict[int, _Size] = field(default_factory=dict)

    def run(self, doc: Mapping[str, Any]) -> dict[str, list[Element]]:
        steps = _steps(doc.get("steps"))
        trigger = doc.get("trigger")
        fields = 0
        if isinstance(trigger, Mapping):
            props = (trigger.get("input_schema") or {}).get("properties")
            fields = len(props) if isinstance(props, Mapping) else 0
        label = "Manual trigger\n" + (f"{fields} input field{'s' * (fields != 1)}")
        self._node(TRIGGER, "trigger", label, 0.0, NODE_H / 2, node=None)
        body = self._seq_size(steps)
        top = NODE_H + GAP_Y
        exits = self._place_seq(steps, 0.0, top, None, [(TRIGGER, "")])
        end_y = top + (body.height + GAP_Y if steps else 0.0)
        self._node(END, "end", "End", 0.0, end_y + PLACEHOLDER_H / 2, node=None)
        self._link(exits, END)
        loops = {n["data"]["id"] for n in self.nodes if n["data"]["kind"] == "loop"}
        for edge in self.edges:  # into a loop: clear of its label, which is centred on top
            if edge["data"]["target"] in loops:
                edge["classes"] = f"{edge['classes']} to-loop".strip()
        return {"nodes": self.nodes, "edges": self.edges}

    # -- sizes (first pass)
    def _size(self, node: Mapping[str, Any]) -> _Size:
        key = id(node)
        if key in self._sizes:
            return self._sizes[key]
        kind = node.get("kind")
        if kind == "if_else":
            then, other = (self._branch_size(node.get(b)) for b in ("then", "else"))
            width = max(NODE_W, then.width + GAP_X + other.width)
            size = _Size(width, NODE_H + GAP_Y + max(then.height, other.height))
        elif kind == "loop":
            body = self._branch_size(node.get("steps"))
            width = max(NODE_W, body.width + 2 * LOOP_PAD)
            size = _Size(width, LOOP_HEADER + body.height + 2 * LOOP_PAD)
        else:
            size = _Size(NODE_W, NODE_H)
        self._sizes[key] = size
        return size

    def _seq_size(self, steps: list[Mapping[str, Any]]) -> _Size:
        sizes = [self._size(n) for n in steps]
        if not sizes:
            return _Size(0.0, 0.0)
        height = sum(s.height for s in sizes) + GAP_Y * (len(sizes) - 1)
        return _Size(max(s.width for s in sizes), height)

    def _branch_size(self, raw: Any) -> _Size:
        steps = _steps(raw)
        return self._seq_size(steps) if steps else _Size(PLACEHOLDER_W, PLACEHOLDER_H)

    # -- placement (second pass)
    def _place_seq(
        self,
        steps: list[Mapping[str, Any]],
        cx: float,
        top: float,
        parent: str | None,
        incoming: list[tuple[str, str]],
    ) -> list[tuple[str, str]]:
        """Place ``steps`` from ``top`` down, centred on ``cx``; return the open exits."""
        pending = incoming
        for node in steps:
            size = self._size(node)
            node_id = str(node.get("id") or "?")
            self._link(pending, node_id)
            pending = self._place_node(node, node_id, cx, top, parent)
            top += size.height + GAP_Y
        return pending

    def _place_branch(
        self,
        owner: str,
        branch: str,
        raw: Any,
        cx: float,
        top: float,
        parent: str | None,
        incoming: list[tuple[str, str]],
    ) -> list[tuple[str, str]]:
        steps = _steps(raw)
        if steps:
            return self._place_seq(steps, cx, top, parent, incoming)
        pid = placeholder_id(owner, branch)
        label = {"then": "+ then", "else": "+ else", "steps": "+ body"}[branch]
        self._node(pid, "placeholder", label, cx, top + PLACEHOLDER_H / 2, owner, parent, branch)
        self._link(incoming, pid)
        return [(pid, "")]

    def _place_node(
        self, node: Mapping[str, Any], node_id: str, cx: float, top: float, parent: str | None
    ) -> list[tuple[str, str]]:
        size = self._size(node)
        kind = str(node.get("kind") or "action")
        desc = node.get("description")
        title = _short(str(desc), 30) if desc else node_id  # the person's words first
        if kind == "if_else":
            cond = _short(readable(str(node.get("condition", ""))), 34)
            self._node(
                node_id,
                kind,
                f"◇ {title}\nif {cond}",
                cx,
                top + NODE_H / 2,
                node_id,
                parent,
                description=desc,
            )
            then, other = (self._branch_size(node.get(b)) for b in ("then", "else"))
            total = then.width + GAP_X + other.width
            btop = top + NODE_H + GAP_Y
            exits = self._place_branch(
                node_id,
                "then",
                node.get("then"),
                cx - total / 2 + then.width / 2,
                btop,
                parent,
                [(node_id, "then")],
            )
            exits += self._place_branch(
                node_id,
                "else",
                node.get("else"),
                cx + total / 2 - other.width / 2,
                btop,
                parent,
                [(node_id, "else")],
            )
            return exits
        if kind == "loop":
            var = node.get("as") or "item"
            items = readable(str(node.get("items", "")))
            label = f"↻ {title}\n" + _short(f"for each {var} in {items}")
            self._node(
                node_id, kind, label, cx, top + size.height / 2, node_id, parent, description=desc
            )
            self._place_branch(
                node_id,
                "steps",
                node.get("steps"),
                cx,
                top + LOOP_HEADER + LOOP_PAD,
                node_id,
                [],
            )
            return [(node_id, "")]
        action = str(node.get("action") or "?")
        self._node(
            node_id,
            "action",
            f"{action_icon(action)} {title}\n{action_title(action)}",
            cx,
            top + NODE_H / 2,
            node_id,
            parent,
            description=desc,
            action=action,
        )
        return [(node_id, "")]

    # -- element builders
    def _node(
        self,
        element_id: str,
        kind: str,
        label: str,
        x: float,
        y: float,
        node: str | None,
        parent: str | None = None,
        branch: str | None = None,
        *,
        description: Any = None,
        action: str | None = None,
    ) -> None:
        data: dict[str, Any] = {"id": element_id, "label": label, "kind": kind, "node": node}
        classes = [kind]
        if parent:
            data["parent"] = parent
        if branch:
            data["branch"] = branch
        if action:
            data["action"] = action
        tips = [str(description)] if description else []
        problems = self.issues.get(element_id, [])
        if any(sev == "error" for sev, _ in problems):
            classes.append("invalid")
        elif problems:
            classes.append("warning")
        tips += [f"{'⚠' if sev == 'warning' else '✖'} {msg}" for sev, msg in problems]
        if tips:
            data["tooltip"] = "\n".join(tips)
        status = self.statuses.get(element_id)
        if status:
            data["status"] = status
            classes.append(f"status-{status}")
        self.nodes.append(
            {
                "data": data,
                "position": {"x": round(x, 1), "y": round(y, 1)},
                "classes": " ".join(classes),
            }
        )

    def _link(self, sources: list[tuple[str, str]], target: str) -> None:
        for source, label in sources:
            data = {"id": f"{source}->{target}", "source": source, "target": target, "label": label}
            self.edges.append({"data": data, "classes": label})


#: One icon per action category, so a step's kind reads at a glance (symbols every
#: common font has: a headless browser without an emoji font draws emoji as boxes).
CATEGORY_ICONS = {
    "users": "◉",
    "groups": "❖",
    "devices": "▣",
    "applications": "◈",
    "commands": "❯",
    "notify": "✉",
    "http": "⇄",
    "core": "✱",
}


def action_icon(action: str) -> str:
    """The icon of an action's category (``•`` for a custom category)."""
    return CATEGORY_ICONS.get(action.split(".", 1)[0], "•")


def action_title(action: str) -> str:
    """An action's name in words: ``groups.remove_user`` → ``Groups: remove user``."""
    category, _, verb = action.partition(".")
    if not verb:
        return action
    return f"{category.capitalize()}: {verb.replace('_', ' ')}"


def readable(expression: str) -> str:
    """An expression as a label shows it: braces gone, ``steps.x.output.`` read as ``x.``."""
    text = expression.replace("{{", "").replace("}}", "").strip()
    return re.sub(r"\bsteps\.([a-z][a-z0-9_]*)\.output\b", r"\1", text)


def _steps(raw: Any) -> list[Mapping[str, Any]]:
    return [n for n in raw if isinstance(n, Mapping)] if isinstance(raw, list) else []


def _short(text: str, limit: int = _LABEL_MAX) -> str:
    text = " ".join(text.replace("{{", "").replace("}}", "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
