"""Helpers of the façade's tests: a small workflow with a required and a default input."""

from __future__ import annotations

from typing import Any

HELLO: dict[str, Any] = {
    "format": "wfbench/v1",
    "name": "Hello",
    "type": "manual",
    "run_as": "read_only",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "times": {"type": "integer", "default": 1}},
            "additionalProperties": False,
        }
    },
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "hi"}}],
}
