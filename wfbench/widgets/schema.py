"""The trigger's input schema as rows a person edits, and a schema inferred from a sample.

The trigger card shows a JSON Schema as a table of fields (name, type,
required, default, enum). :func:`fields_of` reads that table out of a schema
and :func:`schema_from_fields` writes it back, keeping whatever else the schema
said (``format``, ``items``, ``minLength``, ``additionalProperties`` …), so a
round trip through the card never loses detail it does not show.
:func:`infer_schema` proposes a schema from a sample input, which is how
people often start ("here is what I will type; make the form").

Pure and widget-free, so it is tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

#: The JSON types a field row offers.
TYPES: Final = ("string", "integer", "number", "boolean", "array", "object")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_ONLY_FOR: Final = {"format": "string", "items": "array", "properties": "object"}


class _Missing:
    """The absence of a default (``None`` is a valid JSON default: ``null``)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


@dataclass
class FieldSpec:
    """One input field as the trigger card shows it."""

    name: str
    type: str = "string"
    required: bool = False
    default: Any = MISSING
    enum: list[Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Every other key of the field's schema, kept as it was."""


def infer_schema(sample: Any) -> dict[str, Any]:
    """A JSON Schema that ``sample`` satisfies, as a person would write it.

    Objects list their keys as properties; keys whose value is not ``null`` are
    required, and the object is closed (``additionalProperties: false``) so a
    misspelt key is caught at run time. Arrays take the schema their items
    share. Strings that look like an email address, a date or a date-time get
    that ``format``. ``true``/``false`` are booleans, never integers.
    """
    if isinstance(sample, Mapping):
        props = {str(k): infer_schema(v) for k, v in sample.items()}
        required = [str(k) for k, v in sample.items() if v is not None]
        out: dict[str, Any] = {"type": "object"}
        if required:
            out["required"] = required
        out["properties"] = props
        out["additionalProperties"] = False
        return out
    if isinstance(sample, bool):
        return {"type": "boolean"}
    if isinstance(sample, int):
        return {"type": "integer"}
    if isinstance(sample, float):
        return {"type": "number"}
    if isinstance(sample, str):
        for pattern, fmt in ((_EMAIL, "email"), (_DATE, "date"), (_DATETIME, "date-time")):
            if pattern.match(sample):
                return {"type": "string", "format": fmt}
        return {"type": "string"}
    if isinstance(sample, list):
        return {"type": "array", "items": _common([infer_schema(v) for v in sample])}
    return {}


def _common(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """The schema every item shares: itself when all agree, else their common type."""
    if not schemas:
        return {}
    if all(s == schemas[0] for s in schemas):
        return schemas[0]
    types = {s.get("type") for s in schemas}
    if types == {"integer", "number"}:
        return {"type": "number"}
    if len(types) == 1 and None not in types:
        return {"type": types.pop()}
    return {}


def fields_of(schema: Mapping[str, Any]) -> list[FieldSpec]:
    """The rows of an object schema, in property order."""
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return []
    required = set(schema.get("required") or [])
    rows = []
    for name, sub in props.items():
        sub = dict(sub) if isinstance(sub, Mapping) else {}
        kind = sub.pop("type", "string")
        if not isinstance(kind, str) or kind not in TYPES:
            sub["type"] = kind  # a union or unknown type: keep it, show it as string
            kind = "string"
        default = sub.pop("default", MISSING)
        enum = sub.pop("enum", None)
        rows.append(
            FieldSpec(
                name=str(name),
                type=kind,
                required=name in required,
                default=default,
                enum=list(enum) if isinstance(enum, list) else None,
                extra=sub,
            )
        )
    return rows


def schema_from_fields(
    fields: list[FieldSpec], base: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """An object schema with these rows, keeping ``base``'s other top-level keys.

    A field's extra keys that only make sense for another type (``format`` on a
    number, ``items`` on a string) are dropped when its type changed.
    """
    out: dict[str, Any] = {"type": "object"}
    for key, value in (base or {}).items():
        if key not in ("type", "properties", "required"):
            out[key] = value
    props: dict[str, Any] = {}
    for row in fields:
        if not row.name:
            continue
        extra = {k: v for k, v in row.extra.items() if _ONLY_FOR.get(k, row.type) == row.type}
        union = extra.pop("type", None)  # an unusual type that the row shows as string
        sub: dict[str, Any] = {"type": union if union and row.type == "string" else row.type}
        sub.update(extra)
        if row.enum is not None:
            sub["enum"] = list(row.enum)
        if row.default is not MISSING:
            sub["default"] = row.default
        props[row.name] = sub
    required = [r.name for r in fields if r.required and r.name]
    if required:
        out["required"] = required
    out["properties"] = props
    # Keep key order readable: type, required, properties, then the rest.
    ordered: dict[str, Any] = {k: out[k] for k in ("type", "required", "properties") if k in out}
    ordered.update({k: v for k, v in out.items() if k not in ordered})
    return ordered
