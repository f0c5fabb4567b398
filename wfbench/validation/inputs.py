"""A run's input: defaults applied, checked against the trigger schema, every problem.

The one place for it: the engine, the façade, the run dialog and the HTTP API
all ask :func:`check_input` (or :func:`prepare_input`, which raises), so what
the dialog calls valid is what a run accepts. The trigger check of a saved
workflow (:mod:`wfbench.validation.trigger`) checks ``sample_input`` with the
same :func:`schema_errors`. Limits on what a schema may do while it is checked
(no remote ``$ref``, linear-time patterns) belong in :func:`schema_errors`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wfbench import pointers
from wfbench.errors import InputError
from wfbench.model import Workflow
from wfbench.validation.jsonschema_lite import FORMAT_CHECKER, jsonschema

_NOT_AN_OBJECT_HINT = 'give a JSON object such as {"email": "…"}'


def apply_defaults(schema: Mapping[str, Any], value: Any) -> Any:
    """``value`` with the schema's ``default``s filled in where a property is absent.

    Nested objects get their properties' defaults too; anything that is not an
    object (or a schema without ``properties``) is returned as it is.
    """
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


def schema_errors(schema: Mapping[str, Any], value: Any) -> list[jsonschema.ValidationError]:
    """Every way ``value`` fails ``schema`` (draft 2020-12, formats checked), in path order."""
    cls = jsonschema.Draft202012Validator
    validator = cls(schema, format_checker=FORMAT_CHECKER)
    return sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))


@dataclass(frozen=True)
class InputCheck:
    """The outcome of :func:`check_input`.

    ``value`` is the input with defaults applied (``None`` when it is not an
    object); ``problems`` lists ``(json_pointer, message)``, one per problem;
    ``summary`` is the sentence an :class:`InputError` starts with (``""`` when
    there is no problem).
    """

    value: dict[str, Any] | None
    problems: list[tuple[str, str]] = field(default_factory=list)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def error(self) -> InputError:
        """The :class:`InputError` a run start raises for these problems."""
        return InputError(self.summary, self.problems)


def check_input(workflow: Workflow, value: Any) -> InputCheck:
    """Apply the trigger schema's defaults to ``value`` and check it; never raises.

    No input (``None``) is the empty object. Every problem is reported, each
    with the JSON pointer of the part of the input it is about.
    """
    schema = workflow.trigger.input_schema
    if value is None:
        value = {}
    if not isinstance(value, dict):
        summary = f"the input must be a JSON object, not {type(value).__name__}"
        return InputCheck(None, [("", _NOT_AN_OBJECT_HINT)], summary)
    value = apply_defaults(schema, value)
    problems = [
        (pointers.build(err.absolute_path), err.message) for err in schema_errors(schema, value)
    ]
    if not problems:
        return InputCheck(dict(value))
    summary = (
        f"the input does not match the input schema of '{workflow.name}' "
        f"({len(problems)} problem(s)); fix the input and run again"
    )
    return InputCheck(dict(value), problems, summary)


def prepare_input(workflow: Workflow, value: Any) -> dict[str, Any]:
    """The input a run starts with: defaults applied, checked.

    Raises :class:`InputError` listing every problem with its JSON pointer.
    """
    checked = check_input(workflow, value)
    if not checked.ok or checked.value is None:
        raise checked.error()
    return checked.value


__all__ = ["InputCheck", "apply_defaults", "check_input", "prepare_input", "schema_errors"]
