"""Helpers of the validation tests: a small workflow document, its steps, its errors."""

from __future__ import annotations

from typing import Any

from wfbench.validation import Report


def errors(report: Report) -> list[tuple[str, str | None, str | None]]:
    """Each error as (code, node, field)."""
    return [(i.code, i.node, i.field) for i in report.errors]


def minimal(**steps_and_fields: Any) -> dict[str, Any]:
    """A valid manual workflow with an ``email`` and an ``n`` input, and no steps."""
    doc: dict[str, Any] = {
        "format": "wfbench/v1",
        "name": "t",
        "run_as": "read_only",
        "trigger": {
            "input_schema": {
                "type": "object",
                "properties": {"email": {"type": "string"}, "n": {"type": "integer"}},
                "additionalProperties": False,
            }
        },
        "steps": [],
    }
    doc.update(steps_and_fields)
    return doc


def action(id_: str, name: str, **with_: Any) -> dict[str, Any]:
    return {"id": id_, "kind": "action", "action": name, "with": with_}
