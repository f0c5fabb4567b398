"""The trigger card: the input schema is a JSON Schema of an object, the sample fits it.

Also decides which ``input.X`` references can be checked: only when the schema
closes its object (it lists properties, or forbids others). Checks on what a
schema may contain (local ``$ref`` only, safe patterns) belong here.
"""

from __future__ import annotations

from typing import Any

from wfbench import pointers
from wfbench.model import Workflow
from wfbench.validation.inputs import schema_errors
from wfbench.validation.issues import Issue, dotted
from wfbench.validation.jsonschema_lite import jsonschema


def check_trigger(wf: Workflow) -> tuple[list[Issue], dict[str, Any] | None]:
    """Issues of the trigger, and the input properties references may be checked against.

    The properties are ``None`` when the input is not checkable (the schema is
    broken, or open to any field).
    """
    schema = wf.trigger.input_schema
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


def _issue(code: str, path: list[str | int], message: str) -> Issue:
    return Issue.make("error", code, None, dotted(path), message, pointers.build(path))


__all__ = ["check_trigger"]
