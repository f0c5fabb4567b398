"""The reference picker: typed paths in scope, only those that fit the chosen field.

The list comes from validation (:func:`wfbench.validation.scope.typed_references`):
every reference the node may read, down to fields, with its kind
(``steps.user.output.employee_type (string)``, ``group.id (string)``). The
person first picks the field to fill ("into"); the list then offers only the
references whose kind fits that field (the typed checks' own rule,
:func:`wfbench.validation.expression_kinds.fits`), so an inserted reference never turns
the node red.

Inserting follows :func:`insert_reference`. ipywidgets' ``Text`` cannot report
its cursor or selection, so the rule is about the field's whole value: a
field whose value must be one expression (a condition, a loop's items, any
parameter that is not text) gets the reference as its whole value, replacing
the placeholder (``{{ true }}``, ``{{ [] }}``) or what was there; a text field
that is empty or holds exactly one ``{{ }}`` gets it as its whole value too;
only a text field with words in it gets the reference appended, since text
around ``{{ }}`` makes text there, which is what a text field wants. That is
the whole difference a cursor would make, without a front-end component.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as w

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
    """``target`` (into which field), ``select`` (the reference), ``insert_button``.

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
        self.target = w.Dropdown(options=list(targets), description="into", layout=_full())
        self.select = w.Dropdown(description="reference", layout=_full())
        self.note = w.HTML()
        self.insert_button = w.Button(
            description="Insert {{ ref }}", icon="plus", layout=w.Layout(width="auto")
        )
        self.insert_button.on_click(lambda _: self._insert())
        self.target.observe(lambda _: self._offer(), names="value")
        self._offer()
        self.widget = w.VBox(
            [
                w.HTML("<b>Insert reference</b>"),
                self.target,
                self.select,
                self.note,
                self.insert_button,
            ],
            layout=w.Layout(
                border="1px solid #dde3ea", padding="4px", margin="6px 0 0 0", width="auto"
            ),
        )

    def offered(self, target: str | None = None) -> list[str]:
        """The references offered for ``target`` (default: the chosen field)."""
        wants = self.targets.get(target or self.target.value or "", "unknown")
        return [ref for ref, kind in self.refs if fits(kind, wants)]

    def _offer(self) -> None:
        wants = self.targets.get(self.target.value or "", "unknown")
        kinds = dict(self.refs)
        options = [(label(ref, kinds[ref]), ref) for ref in self.offered()]
        keep = self.select.value
        self.select.options = options
        offered = [ref for _, ref in options]
        self.select.value = keep if keep in offered else (offered[0] if offered else None)
        self.insert_button.disabled = not options
        fit = "" if wants == "unknown" else f"only what gives {wants} is offered"
        self.note.value = f"<span style='color:#666;font-size:90%'>{fit}</span>" if fit else ""

    def choose(self, ref: str, into: str | None = None) -> None:
        """Pick ``into`` then ``ref``, as a person would."""
        if into is not None:
            self.target.value = into
        offered = self.offered()
        if ref not in offered:
            raise KeyError(f"{ref!r} does not fit {self.target.value!r}; offered: {offered}")
        self.select.value = ref

    def _insert(self) -> None:
        if self.select.value and self.target.value:
            self.on_insert(str(self.target.value), str(self.select.value))


def _full() -> w.Layout:
    return w.Layout(width="100%", min_width="0")


def wanted_kind(key: str, annotation: Any = None) -> Kind:
    """The kind a form field wants: a condition true/false, items a list, a parameter its type."""
    if key == "condition":
        return "boolean"
    if key == "items":
        return "list"
    return kind_of_type(annotation) if annotation is not None else "unknown"


__all__ = ["ReferencePicker", "insert_reference", "is_placeholder", "label", "wanted_kind"]
