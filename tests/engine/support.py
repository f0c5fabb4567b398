"""Helpers of the engine tests: a workflow document and its steps in a line each."""

from __future__ import annotations

from typing import Any

from wfbench.workbench import Workbench


def flow(
    *steps: dict[str, Any],
    run_as: str = "administrator",
    name: str = "t",
    props: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A manual workflow document with ``steps`` and an input of ``props``."""
    return {
        "format": "wfbench/v1",
        "name": name,
        "run_as": run_as,
        "trigger": {"input_schema": {"type": "object", "properties": props or {}}},
        "steps": list(steps),
    }


def act(id_: str, action: str, **kw: Any) -> dict[str, Any]:
    """An action step; ``with_`` is its parameters, other keywords its fields."""
    with_ = kw.pop("with_", {})
    return {"id": id_, "kind": "action", "action": action, "with": with_, **kw}


def one(wb: Workbench, query: str, *params: Any) -> Any:
    """The first value of the first row of ``query`` on the store."""
    return wb.sql(query, list(params)).iloc[0, 0]
