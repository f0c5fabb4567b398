"""Which references fit which field: the rule behind the type-ahead lists, and its code twin.

The references come from validation (:func:`wfbench.validation.scope.typed_references`):
every reference the node may read, down to fields, with its kind
(``steps.user.output.employee_type (string)``, ``group.id (string)``). A field
is offered only the references whose kind fits it (the typed checks' own rule,
:func:`wfbench.validation.expression_kinds.fits`), so an inserted reference
never turns the node red. In the browser each field's type-ahead list
(:mod:`wfbench.widgets.typeahead`) offers them and inserts at the cursor.

From code, ``form.insert_reference(ref, into)`` follows
:func:`insert_reference`, a rule about the field's whole value: a field whose
value must be one expression (a condition, a loop's items, any parameter that
is not text) gets the reference as its whole value, replacing the placeholder
(``{{ true }}``, ``{{ [] }}``) or what was there; a text field that is empty or
holds exactly one ``{{ }}`` gets it as its whole value too; only a text field
with words in it gets the reference appended (a cursor at its end).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from wfbench import expressions as ex
from wfbench.errors import ExpressionError
from wfbench.validation import Kind, fits, kind_of_type


def is_placeholder(text: str) -> bool:
    """Whether ``text`` is empty or exactly one ``{{ … }}`` (a value to replace, not extend)."""
    text = text.strip()
    if not text:
        return True
    if not ex.is_template(text):
        return False
    try:
        return ex.parse_template(text).single
    except ExpressionError:
        return False


def insert_reference(current: str, ref: str, wants: Kind) -> str:
    """The field's new value after inserting ``{{ ref }}`` (see the module docstring)."""
    token = "{{ " + ref + " }}"
    if wants not in ("string", "unknown") or is_placeholder(current):
        return token
    return f"{current.rstrip()} {token}"


def label(ref: str, kind: Kind) -> str:
    """How the picker lists a reference: ``steps.user.output.email (string)``."""
    return ref if kind == "unknown" else f"{ref} ({kind})"


class ReferencePicker:
    """Which fields of a form take references, and what fits each: the type-ahead lists'
    rule, and the code twin of a pick (:meth:`choose` checks, ``on_insert`` inserts).

    ``refs`` are ``(reference, kind)`` pairs (a bare reference is of unknown
    kind); ``targets`` maps each field that takes a reference to the kind it wants;
    ``on_insert(target, ref)`` does the insertion.
    """

    def __init__(
        self,
        refs: Sequence[tuple[str, Kind] | str],
        targets: Mapping[str, Kind],
        on_insert: Callable[[str, str], None],
    ) -> None:
        self.refs: list[tuple[str, Kind]] = [
            (r, "unknown") if isinstance(r, str) else r for r in refs
        ]
        self.targets = dict(targets)
        self.on_insert = on_insert

    def offered(self, target: str | None = None) -> list[str]:
        """The references offered for ``target`` (default: the first field that takes one)."""
        wants = self.targets.get(target or self.first or "", "unknown")
        return [ref for ref, kind in self.refs if fits(kind, wants)]

    @property
    def first(self) -> str | None:
        return next(iter(self.targets), None)

    def insert(self, ref: str, into: str | None = None) -> None:
        """Insert ``ref`` into field ``into`` (default: the first), if it fits there."""
        target = into or self.first
        if target is None or target not in self.targets:
            raise KeyError(f"{target!r} takes no reference; fields that do: {list(self.targets)}")
        offered = self.offered(target)
        if ref not in offered:
            raise KeyError(f"{ref!r} does not fit {target!r}; offered: {offered}")
        self.on_insert(target, ref)


def obvious_params(model: type[BaseModel], refs: Sequence[tuple[str, Kind]]) -> dict[str, str]:
    """The parameters of an action's input ``model`` that an input field of the same name
    fills, and fits (``email`` <- ``{{ input.email }}``): what a new action starts with."""
    kinds = dict(refs)
    out = {}
    for attr, info in model.model_fields.items():
        name = info.alias or attr
        kind = kinds.get(f"input.{name}")
        if kind is not None and fits(kind, wanted_kind(name, info.annotation)):
            out[name] = "{{ input." + name + " }}"
    return out


def wanted_kind(key: str, annotation: Any = None) -> Kind:
    """The kind a form field wants: a condition true/false, items a list, a parameter its type."""
    if key == "condition":
        return "boolean"
    if key == "items":
        return "list"
    return kind_of_type(annotation) if annotation is not None else "unknown"


__all__ = [
    "ReferencePicker",
    "insert_reference",
    "is_placeholder",
    "label",
    "obvious_params",
    "wanted_kind",
]
