"""An action's parameters: every one known, every required one given, literals typed."""

from __future__ import annotations

from pydantic import ValidationError

from wfbench import pointers
from wfbench.actions import ActionSpec
from wfbench.model import ActionNode
from wfbench.validation.issues import Issue
from wfbench.validation.output_types import has_template, param_fields


def check_params(node: ActionNode, spec: ActionSpec, ptr: str) -> list[Issue]:
    """Issues of the parameters under ``with``: unknown, missing, or a literal of the wrong type.

    A value holding ``{{ … }}`` is known only at run time and is not type-checked here.
    """
    issues: list[Issue] = []

    def add(code: str, fld: str, message: str, *where: str) -> None:
        issues.append(Issue.make("error", code, node.id, fld, message, pointers.join(ptr, *where)))

    fields = param_fields(spec)
    given = node.with_
    for key in given:
        if key not in fields:
            known = ", ".join(fields) or "none"
            message = f"{spec.name} has no parameter '{key}'; its parameters are: {known}"
            add("param.unknown", f"with.{key}", message, "with", key)
    for key, (required, adapter) in fields.items():
        if key not in given:
            if required:
                message = f"{spec.name} requires '{key}': add it under \"with\""
                add("param.missing", f"with.{key}", message, "with")
            continue
        value = given[key]
        if has_template(value):
            continue
        try:
            adapter.validate_python(value)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]["msg"]
            message = (
                f"'{key}' of {spec.name}: {first}; give a value of the right type or an expression"
            )
            add("param.type", f"with.{key}", message, "with", key)
    if spec.require_one_of and not any(k in given for k in spec.require_one_of):
        names = " or ".join(f"'{k}'" for k in spec.require_one_of)
        add("param.one_of", "with", f'{spec.name} needs {names}: add one under "with"', "with")
    return issues


__all__ = ["check_params"]
