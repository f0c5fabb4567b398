"""A run's input: the trigger schema's defaults filled in, then checked against it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema

from wfbench.errors import (
    InputError,
)
from wfbench.model import Workflow


def apply_defaults(schema: Mapping[str, Any], value: Any) -> Any:
    """``value`` with the schema's ``default``s filled in where a property is absent."""
    if not isinstance(value, dict) or not isinstance(schema, Mapping):
        return value
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return value
    out = dict(value)
    for name, sub in props.items():
        if not isinstance(sub, Mapping):
            continue
        if name not in out and "default" in sub:
            out[name] = sub["default"]
        if name in out:
            out[name] = apply_defaults(sub, out[name])
    return out


def prepare_input(workflow: Workflow, value: Any) -> dict[str, Any]:
    """Check a run's input against the trigger schema, defaults applied.

    Raises :class:`InputError` listing every problem with its JSON pointer.
    """
    schema = workflow.trigger.input_schema
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise InputError(
            f"the input must be a JSON object, not {type(value).__name__}",
            [("", 'give a JSON object such as {"email": "…"}')],
        )
    value = apply_defaults(schema, value)
    cls = jsonschema.Draft202012Validator
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    problems = []
    for err in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        pointer = "".join(f"/{p}" for p in err.absolute_path)
        problems.append((pointer, err.message))
    if problems:
        raise InputError(
            f"the input does not match the input schema of '{workflow.name}' "
            f"({len(problems)} problem(s)); fix the input and run again",
            problems,
        )
    return dict(value)
