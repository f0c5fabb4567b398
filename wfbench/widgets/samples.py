"""Sample values of references: what ``input.email`` or ``steps.user.output.id`` held.

The type-ahead list shows each reference with a value it would give, so a person
picks ``steps.user.output.manager_email`` knowing it reads
``"lina.haddad@example.com"``. The values come from the trigger's sample input
and from the last run of the workflow (its input where the sample has none, and
the output of each step it ran: a loop body's step from the first iteration);
a loop variable is the first item of its loop's list, as evaluated over the
same values, and ``loop.index`` is 0. A reference that cannot be evaluated
(a step that has not run yet, a field missing) simply has no sample.

:func:`context` and :func:`values` are pure functions over plain data;
:func:`last_run` is the one read, through the façade.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wfbench import expressions as ex
from wfbench.errors import WfbenchError
from wfbench.widgets import edit

if TYPE_CHECKING:
    from wfbench.workbench import Workbench

#: Runs whose steps ran (a rejected run has none, a queued one none yet).
_RAN = ("succeeded", "failed", "cancelled", "interrupted")


def last_run(wb: Workbench, workflow_id: str | None) -> dict[str, Any]:
    """The newest run of the workflow that ran steps, as ``wb.runs.get`` gives it, or ``{}``
    (a workflow not saved yet, or never run)."""
    if workflow_id is None:
        return {}
    recent = wb.runs(workflow_id, limit=5)
    for run_id, status in zip(recent["run_id"], recent["status"], strict=True):
        if status in _RAN:
            return wb.runs.get(str(run_id))
    return {}


def context(
    doc: Mapping[str, Any],
    node_id: str | None,
    *,
    run_input: Any = None,
    run_steps: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The names an expression at node ``node_id`` reads, with sample values.

    ``run_input`` and ``run_steps`` are the last run's input and step rows (``node``,
    ``output``, ``status``), in the order they ran.
    """
    trigger = doc.get("trigger")
    sample = trigger.get("sample_input") if isinstance(trigger, Mapping) else None
    given: dict[str, Any] = dict(run_input) if isinstance(run_input, Mapping) else {}
    if isinstance(sample, Mapping):
        given.update(sample)
    steps: dict[str, dict[str, Any]] = {}
    for row in run_steps:
        node = row.get("node")
        if isinstance(node, str) and node not in steps:  # a loop body's first iteration
            steps[node] = {"output": row.get("output"), "status": row.get("status")}
    scope: dict[str, Any] = {"input": given, "steps": steps}
    for loop in _enclosing_loops(doc, node_id):
        items = _evaluate(loop.get("items"), scope)
        name = str(loop.get("as") or "item")
        if isinstance(items, list) and items:
            scope[name] = items[0]
        scope["loop"] = {"index": 0}
    return scope


def values(refs: Iterable[str], scope: Mapping[str, Any]) -> dict[str, Any]:
    """``reference -> sample value`` for every reference of ``refs`` (dotted paths, as the
    lists name them) that ``scope`` holds; a missing step or field gives no sample (not the
    ``null`` a run would read)."""
    out: dict[str, Any] = {}
    for ref in refs:
        value: Any = scope
        for part in ref.split("."):
            if not isinstance(value, Mapping) or part not in value:
                value = _NONE
                break
            value = value[part]
        if value is not _NONE:
            out[ref] = value
    return out


_NONE = object()


def _evaluate(text: Any, scope: Mapping[str, Any]) -> Any:
    if not isinstance(text, str) or not ex.is_template(text):
        return _NONE
    try:
        return ex.render(text, scope)
    except (WfbenchError, KeyError, TypeError, ValueError):
        return _NONE


def _enclosing_loops(doc: Mapping[str, Any], node_id: str | None) -> list[Mapping[str, Any]]:
    """The loops around node ``node_id``, outermost first (the node itself excluded)."""
    if not node_id:
        return []
    mutable: dict[str, Any] = dict(doc)
    owners: dict[int, str | None] = {}
    for owner, _key, steps in edit.iter_lists(mutable):
        owners[id(steps)] = owner
    chain: list[Mapping[str, Any]] = []
    current = node_id
    while True:
        where = edit.locate(mutable, current)
        if where is None:
            break
        owner = owners.get(id(where[0]))
        if owner is None:
            break
        node = edit.find(mutable, owner)
        if node is None:
            break
        if node.get("kind") == "loop":
            chain.append(node)
        current = owner
    return list(reversed(chain))


__all__ = ["context", "last_run", "values"]
