"""One field of a node form: a widget that fits the parameter's type, or an expression box.

Every parameter gets a widget that fits its type: ``Text`` for text, ``Checkbox``
for a flag, ``IntText``/``FloatText`` for numbers, a ``Dropdown`` for a
``Literal``, a JSON ``Textarea`` for lists, objects and ``Any``. Required
parameters are marked ``*``. Since any value may be an expression
(``{{ steps.user.output.id }}``), a typed field has an ``ƒx`` toggle that swaps
it for a text box; text fields take expressions as they are. Each field knows
the kind of value it takes (``wants``), which the reference picker offers for.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal

import ipywidgets as w
from pydantic import BaseModel

from wfbench.validation import Kind as ValueKind
from wfbench.widgets.base import esc, message_html
from wfbench.widgets.picker import insert_reference, wanted_kind
from wfbench.widgets.schema import MISSING
from wfbench.widgets.typeahead import TypeAhead

Kind = Literal["text", "json", "bool", "tristate", "int", "float", "number_text", "choice"]
_TEXT_KINDS = ("text", "json", "number_text")


def field_kind(annotation: Any, *, optional: bool = False) -> tuple[Kind, list[Any]]:
    """The widget kind for a parameter's type, and its choices for a ``Literal``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        has_none = len(args) < len(typing.get_args(annotation))
        if len(args) == 1:
            return field_kind(args[0], optional=optional or has_none)
        return "json", []
    if origin is Literal:
        return "choice", list(typing.get_args(annotation))
    if annotation is bool:
        return ("tristate" if optional else "bool"), []
    if annotation is int:
        return ("number_text" if optional else "int"), []
    if annotation is float:
        return ("number_text" if optional else "float"), []
    if annotation is str:
        return "text", []
    return "json", []


class FieldEditor:
    """One field of a form: a typed widget, an expression box, an issue note."""

    def __init__(
        self,
        name: str,
        kind: Kind,
        *,
        label: str | None = None,
        required: bool = False,
        default: Any = MISSING,
        choices: list[Any] | None = None,
        description: str = "",
        value: Any = MISSING,
        expressions: bool = True,
        wants: ValueKind = "unknown",
        references: bool = False,
    ) -> None:
        self.name, self.kind, self.required, self.default = name, kind, required, default
        self.wants = wants
        """The kind of value the field takes (what the picker offers for it)."""
        self.references = references
        """Whether its boxes are type-ahead boxes that offer references (:meth:`offer`)."""
        self.typeahead: TypeAhead | None = None
        """The type-ahead of its text box (or of its ``ƒx`` box, for a typed field)."""
        whole = wants not in ("string", "unknown")  # one expression: a pick replaces it all
        self.present = value is not MISSING
        title = (label or name) + (" *" if required else "")
        self.label = w.HTML(
            f"<b title='{esc(description)}'>{esc(title)}</b>", layout=w.Layout(width="140px")
        )
        wide = w.Layout(flex="1 1 auto", width="auto")
        self.typed: Any
        if kind == "bool":
            self.typed = w.Checkbox(
                value=bool(default) if default is not MISSING else False, indent=False
            )
        elif kind == "tristate":
            self.typed = w.Dropdown(options=[("—", None), ("true", True), ("false", False)])
        elif kind == "int":
            self.typed = w.IntText(
                value=default if isinstance(default, int) else 0,
                continuous_update=False,
                layout=wide,
            )
        elif kind == "float":
            self.typed = w.FloatText(
                value=default if isinstance(default, int | float) else 0.0,
                continuous_update=False,
                layout=wide,
            )
        elif kind == "choice":
            options = [("—", None)] if default is MISSING else []  # "—": not given yet
            options += [(str(c), c) for c in choices or []]
            self.typed = w.Dropdown(options=options, layout=wide)
            if default is not MISSING and default in (choices or []):
                self.typed.value = default
        elif kind == "json" and references:
            self.typeahead = TypeAhead(
                placeholder="JSON or {{ … }}", multiline=True, whole=whole, layout=wide
            )
            self.typed = self.typeahead.box
        elif kind == "json":
            self.typed = w.Textarea(
                continuous_update=False,
                placeholder="JSON or {{ … }}",
                layout=w.Layout(flex="1 1 auto", width="auto", height="64px"),
            )
        elif references and kind == "text":
            self.typeahead = TypeAhead(placeholder=_hint(kind, default), whole=whole, layout=wide)
            self.typed = self.typeahead.box
        else:
            self.typed = w.Text(
                continuous_update=False, placeholder=_hint(kind, default), layout=wide
            )
        self.expr: Any
        if references and kind not in _TEXT_KINDS:
            self.typeahead = TypeAhead(placeholder="{{ … }}", whole=whole, layout=wide)
            self.expr = self.typeahead.box
        else:
            self.expr = w.Text(continuous_update=False, placeholder="{{ … }}", layout=wide)
        self.expr_toggle: Any = None
        controls: list[Any] = [self.label, self.typed]
        if kind not in _TEXT_KINDS and expressions:
            self.expr_toggle = w.ToggleButton(
                value=False,
                description="ƒx",
                tooltip="write an expression {{ … }} instead",
                layout=w.Layout(width="42px"),
            )
            self.expr_toggle.observe(self._toggled, names="value")
            controls.append(self.expr_toggle)
        self.row = w.HBox(controls, layout=w.Layout(width="100%"))
        self.note = w.HTML()
        self.box = w.VBox([self.row, self.note])
        if value is not MISSING:
            self.set_value(value)

    # -- reading and writing
    @property
    def expression_mode(self) -> bool:
        return bool(self.expr_toggle is not None and self.expr_toggle.value)

    def value(self) -> Any:
        """The field's value for the definition, or :data:`MISSING` to leave it out."""
        if self.expression_mode:
            return self.expr.value if self.expr.value.strip() else MISSING
        raw = self.typed.value
        if self.kind == "text":
            return raw if raw != "" else MISSING
        if self.kind in ("json", "number_text"):
            text = raw.strip()
            if not text:
                return MISSING
            try:
                return json.loads(text)
            except ValueError:
                return raw  # an expression or plain text; validation judges it
        if raw is None:
            return MISSING
        if raw == self.default and not self.present:
            return MISSING  # an untouched default stays out of the definition
        return raw

    def set_value(self, value: Any) -> None:
        """Show ``value`` (an expression switches a typed field to its ``ƒx`` box)."""
        if value is MISSING:
            value = None
        is_expr = isinstance(value, str) and "{{" in value
        if self.expr_toggle is not None:
            self.expr_toggle.value = is_expr
            if is_expr:
                self.expr.value = value
                return
        if self.kind == "text":
            self.typed.value = value if isinstance(value, str) else _dump(value)
        elif self.kind in ("json", "number_text"):
            self.typed.value = value if isinstance(value, str) else _dump(value)
        elif self.kind == "bool":
            self.typed.value = bool(value)
        elif self.kind == "int" and isinstance(value, int):
            self.typed.value = value
        elif self.kind == "float" and isinstance(value, int | float):
            self.typed.value = float(value)
        elif self.kind in ("tristate", "choice"):
            options = [o[1] for o in self.typed.options]
            self.typed.value = value if value in options else options[0]

    def insert(self, ref: str) -> None:
        """Put ``{{ ref }}`` into the field: it replaces a placeholder (see the picker)."""
        if self.kind in ("text", "json"):
            self.typed.value = insert_reference(self.typed.value, ref, self.wants)
            return
        if self.expr_toggle is not None:
            self.expr_toggle.value = True
        self.expr.value = insert_reference(self.expr.value, ref, self.wants)

    def offer(self, suggestions: list[dict[str, str]]) -> None:
        """What the field's type-ahead lists offer
        (:func:`~wfbench.widgets.typeahead.suggestions`)."""
        if self.typeahead is not None:
            self.typeahead.suggestions = suggestions

    def observe(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback`` whenever the field's value changes."""
        self.typed.observe(callback, names="value")
        self.expr.observe(callback, names="value")
        if self.expr_toggle is not None:
            self.expr_toggle.observe(callback, names="value")

    def show_issues(self, messages: list[str]) -> None:
        self.note.value = "<br>".join(message_html(m, "error") for m in messages)

    def _toggled(self, change: Mapping[str, Any]) -> None:
        self.row.children = (
            self.label,
            self.expr if change["new"] else self.typed,
            self.expr_toggle,
        )


def _dump(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, indent=2 if isinstance(value, dict) else None)


def _hint(kind: Kind, default: Any) -> str:
    if default is not MISSING and default is not None:
        return f"default {default}"
    return "number or {{ … }}" if kind == "number_text" else "text or {{ … }}"


def editors_for_model(
    model: type[BaseModel], values: Mapping[str, Any], *, references: bool = False
) -> dict[str, FieldEditor]:
    """One :class:`FieldEditor` per field of a pydantic model, by its definition name
    (``references``: with type-ahead boxes that offer references)."""
    out = {}
    for attr, info in model.model_fields.items():
        name = info.alias or attr
        required = info.is_required()
        kind, choices = field_kind(info.annotation)
        default = MISSING if required else info.get_default(call_default_factory=True)
        if default is None and kind == "choice":
            default = MISSING
        out[name] = FieldEditor(
            name,
            kind,
            required=required,
            default=default,
            choices=choices,
            description=info.description or "",
            value=values.get(name, MISSING),
            wants=wanted_kind(name, info.annotation),
            references=references,
        )
    return out


__all__ = ["FieldEditor", "Kind", "editors_for_model", "field_kind"]
