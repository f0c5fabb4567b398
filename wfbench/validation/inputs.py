"""A run's input: defaults applied, checked against the trigger schema, every problem.

The one place for it: the engine, the façade, the run dialog and the HTTP API
all ask :func:`check_input` (or :func:`prepare_input`, which raises), so what
the dialog calls valid is what a run accepts. The trigger check of a saved
workflow (:mod:`wfbench.validation.trigger`) checks ``sample_input`` with the
same :func:`schema_errors`. Limits on what a schema may do while it is checked
(no remote ``$ref``, linear-time patterns) belong in :func:`schema_errors`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wfbench import pointers
from wfbench.errors import InputError
from wfbench.model import Workflow

if TYPE_CHECKING:
    from wfbench.validation.jsonschema_lite import ValidationError

_NOT_AN_OBJECT_HINT = 'give a JSON object such as {"email": "…"}'
# What the store (DuckDB JSON) and every JSON reader can hold: 64-bit integers, finite
# numbers, text that is UTF-8 (no lone surrogate) without NUL, bounded nesting.
INT_RANGE = (-(2**63), 2**64 - 1)
MAX_INPUT_DEPTH = 64


def storable_problems(value: Any) -> list[tuple[str, str]]:
    """Every part of ``value`` that cannot be stored or read back as JSON, by JSON pointer.

    Checked before a run starts (so a run is never lost half-way at its first write),
    the same for the CLI, the Python API and the HTTP API. One pass, linear in the size
    of ``value``: a scalar is checked where it is met, only containers are queued.
    """
    problems: list[tuple[str, str]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if len(path) > MAX_INPUT_DEPTH:
            problems.append((pointers.build(path), _TOO_DEEP))
            continue
        if isinstance(item, dict):
            pairs: Any = item.items()
            for key in item:
                if type(key) is not str and not isinstance(key, int | float | bool | None):
                    where = pointers.build([*path, str(key)])
                    problems.append((where, f"an object key must be text, not {_kind(key)}"))
                elif type(key) is str and (why := _text_problem(key)):
                    shown = key.encode("utf-8", "backslashreplace").decode("utf-8")
                    problems.append((pointers.build([*path, shown]), f"the key {why}"))
        elif isinstance(item, list | tuple):
            pairs = enumerate(item)
        else:
            if (why := _scalar_problem(item)) is not None:
                problems.append((pointers.build(path), why))
            continue
        for key, sub in pairs:
            kind = type(sub)
            if kind is int:
                if not INT_RANGE[0] <= sub <= INT_RANGE[1]:
                    problems.append((pointers.build([*path, str(key)]), _TOO_BIG))
            elif kind is str:
                if (not sub.isascii() or "\x00" in sub) and (why := _text_problem(sub)):
                    problems.append((pointers.build([*path, str(key)]), why))
            elif kind is float:
                if not math.isfinite(sub):
                    problems.append((pointers.build([*path, str(key)]), _NOT_FINITE))
            elif kind is not bool and sub is not None:
                stack.append(((*path, key if isinstance(key, int) else str(key)), sub))
    return sorted(problems)


_NOT_FINITE = "the number is not finite (NaN or Infinity is not JSON); send a finite number"
_TOO_BIG = "the number is too large to store (64-bit integers at most); send it as text"
_TOO_DEEP = f"the input is nested more than {MAX_INPUT_DEPTH} levels deep; flatten it"


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which cannot be stored; remove it"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        return (
            f"contains a lone surrogate (\\u{ord(text[err.start]):04x}) at character "
            f"{err.start}, which is not text and cannot be stored; fix the escape"
        )
    return None


def _scalar_problem(item: Any) -> str | None:
    if isinstance(item, str):
        return _text_problem(item)
    if isinstance(item, bool) or item is None:
        return None
    if isinstance(item, int) and not INT_RANGE[0] <= item <= INT_RANGE[1]:
        return _TOO_BIG
    if isinstance(item, float) and not math.isfinite(item):
        return _NOT_FINITE
    if not isinstance(item, int | float):
        return (
            f"{_kind(item)} is not JSON data; send text, numbers, true/false, null, "
            "lists or objects"
        )
    return None


def _kind(value: Any) -> str:
    return f"a Python {type(value).__name__}"


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
    if unstorable := storable_problems(value):
        summary = (
            f"the input cannot be stored ({len(unstorable)} problem(s)); "
            "fix the input and run again"
        )
        return InputCheck(None, unstorable, summary)
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


#: Keywords that constrain nothing (annotations), and the values of the others that accept
#: any object: a schema made of these alone needs no validator (nor ``jsonschema``).
_ANNOTATIONS = frozenset({"title", "description", "$comment", "examples", "default"})
_ACCEPTING: dict[str, Any] = {"type": "object", "required": [], "additionalProperties": True}


def accepts_any_object(schema: Any) -> bool:
    """Whether ``schema`` is an object schema that constrains nothing: every JSON object
    passes it, so a run's input (already an object) is checked without ``jsonschema``.
    Conservative: any keyword not known to accept every object says no."""
    if schema is True:
        return True
    if not isinstance(schema, dict):
        return False
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key == "properties":
            if not isinstance(value, dict) or value:
                return False
        elif key not in _ACCEPTING or type(value) is not type(_ACCEPTING[key]):
            return False
        elif value != _ACCEPTING[key]:
            return False
    return True


def schema_errors(schema: Mapping[str, Any], value: Any) -> list[ValidationError]:
    """:func:`wfbench.validation.schemas.schema_errors`, without importing ``jsonschema``
    for a schema that accepts any object (``value`` is one here)."""
    if isinstance(value, dict) and accepts_any_object(schema):
        return []
    from wfbench.validation.schemas import schema_errors as errors

    return errors(schema, value)


def prepare_input(workflow: Workflow, value: Any) -> dict[str, Any]:
    """The input a run starts with: defaults applied, checked.

    Raises :class:`InputError` listing every problem with its JSON pointer.
    """
    checked = check_input(workflow, value)
    if not checked.ok or checked.value is None:
        raise checked.error()
    return checked.value


__all__ = [
    "InputCheck",
    "accepts_any_object",
    "apply_defaults",
    "check_input",
    "prepare_input",
    "schema_errors",
    "storable_problems",
]
