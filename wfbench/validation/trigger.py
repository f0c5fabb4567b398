"""The trigger card: the input schema is a JSON Schema of an object, the sample fits it.

Also decides which ``input.X`` references can be checked: only when the schema
closes its object (it lists properties, or forbids others). Checks on what a
schema may contain (local ``$ref`` only, safe patterns) belong here.
"""

from __future__ import annotations

from typing import Any

from wfbench import pointers
from wfbench.model import Workflow
from wfbench.validation.issues import Issue, dotted
from wfbench.validation.jsonschema_lite import jsonschema
from wfbench.validation.schemas import schema_errors, schema_problems


def check_trigger(wf: Workflow) -> tuple[list[Issue], dict[str, Any] | None]:
    """Issues of the trigger, and the input properties references may be checked against.

    The properties are ``None`` when the input is not checkable (the schema is
    broken, or open to any field).
    """
    schema = wf.trigger.input_schema
    if nesting(schema, MAX_SCHEMA_NESTING) > MAX_SCHEMA_NESTING:  # before anything recurses into it
        message = (
            f"the input schema is nested more than {MAX_SCHEMA_NESTING} levels deep; "
            "flatten it, or name parts in $defs and refer to them"
        )
        return [_issue("schema.invalid", ["trigger", "input_schema"], message)], None
    meta = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    invalid = sorted(meta.iter_errors(schema), key=lambda e: list(e.absolute_path))
    issues = [
        _issue(
            "schema.invalid",
            ["trigger", "input_schema", *err.absolute_path],
            f"the input schema is not a valid JSON Schema: {err.message}; fix it (draft 2020-12)",
        )
        for err in invalid
    ]
    if issues:
        return issues, None
    unsafe = [
        _issue(
            "schema.pattern" if _is_pattern(path) else "schema.ref",
            ["trigger", "input_schema", *path],
            message,
        )
        for path, message in schema_problems(schema)
    ]
    if unsafe:
        return unsafe, None
    if schema.get("type", "object") != "object":
        message = 'the run-time input is a JSON object: set "type": "object"'
        return [_issue("schema.invalid", ["trigger", "input_schema", "type"], message)], None
    props = schema.get("properties")
    closed = isinstance(props, dict) and (
        bool(props) or schema.get("additionalProperties") is False
    )
    if wf.trigger.sample_input is not None:
        issues += [
            _issue(
                "schema.sample",
                ["trigger", "sample_input", *err.absolute_path],
                f"the sample input does not fit the input schema: {err.message}; "
                "change the sample or the schema",
            )
            for err in schema_errors(schema, wf.trigger.sample_input)
        ]
    return issues, props if closed and isinstance(props, dict) else None


#: JSON nesting (objects and lists) an input schema may have; jsonschema recurses ~10
#: frames per level, so far deeper schemas would exhaust the stack while being checked.
MAX_SCHEMA_NESTING = 48


def nesting(value: Any, limit: int = 1_000) -> int:
    """How deeply ``value`` nests objects and lists, counted iteratively (it may be very
    deep) and only up to ``limit + 1``."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= limit:
                stack += [
                    (v, depth + 1) for v in (item.values() if isinstance(item, dict) else item)
                ]
    return deepest


def _is_pattern(path: list[str | int]) -> bool:
    return bool(path) and (
        path[-1] == "pattern" or (len(path) > 1 and path[-2] == "patternProperties")
    )


def _issue(code: str, path: list[str | int], message: str) -> Issue:
    return Issue.make("error", code, None, dotted(path), message, pointers.build(path))


__all__ = ["check_trigger"]
