"""Side-panel forms for a selected node, generated from each action's input model.

Every parameter gets a widget that fits its type: ``Text`` for text, ``Checkbox``
for a flag, ``IntText``/``FloatText`` for numbers, a ``Dropdown`` for a
``Literal``, a JSON ``Textarea`` for lists, objects and ``Any``. Required
parameters are marked ``*``. Since any value may be an expression
(``{{ steps.user.output.id }}``), a typed field has an ``ƒx`` toggle that swaps
it for a text box; text fields take expressions as they are.

Each form has the **insert-reference** helper (:mod:`wfbench.widgets.picker`):
the field to fill, then the typed references in scope that fit it; *Insert*
puts ``{{ ref }}`` into that field, replacing a placeholder.

A form knows nothing of the canvas: it reports the edited node (a dict of the
definition format) to ``on_change(node, old_id)``.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import ipywidgets as w
from pydantic import BaseModel

from wfbench.actions import ActionSpec
from wfbench.validation.typed import Kind as ValueKind
from wfbench.widgets.base import esc, message_html
from wfbench.widgets.picker import ReferencePicker, insert_reference, wanted_kind
from wfbench.widgets.schema import MISSING

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
    ) -> None:
        self.name, self.kind, self.required, self.default = name, kind, required, default
        self.wants = wants
        """The kind of value the field takes (what the picker offers for it)."""
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
        elif kind == "json":
            self.typed = w.Textarea(
                continuous_update=False,
                placeholder="JSON or {{ … }}",
                layout=w.Layout(flex="1 1 auto", width="auto", height="64px"),
            )
        else:
            self.typed = w.Text(
                continuous_update=False, placeholder=_hint(kind, default), layout=wide
            )
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


def editors_for_model(model: type[BaseModel], values: Mapping[str, Any]) -> dict[str, FieldEditor]:
    """One :class:`FieldEditor` per field of a pydantic model, by its definition name."""
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
        )
    return out


# --------------------------------------------------------------------------- node forms

OnChange = Callable[[dict[str, Any], str], None]


class NodeForm:
    """The form of one node: id, description, kind-specific fields, insert-reference.

    ``fields`` maps definition paths as validation names them (``with.email``,
    ``condition``, ``items``) to their editors, so issues land on their field.
    """

    kind = "node"

    def __init__(
        self,
        node: Mapping[str, Any],
        refs: Sequence[tuple[str, ValueKind] | str],
        on_change: OnChange,
    ) -> None:
        self.node = dict(node)
        self.on_change = on_change
        self._quiet = True
        self.id_text = w.Text(
            value=str(node.get("id", "")),
            continuous_update=False,
            description="id",
            layout=w.Layout(width="100%"),
        )
        self.description_text = w.Text(
            value=str(node.get("description") or ""),
            continuous_update=False,
            description="description",
            layout=w.Layout(width="100%"),
        )
        self.fields: dict[str, FieldEditor] = {}
        self.title = w.HTML()
        self.note = w.HTML()
        self._build()
        targets = {k: e.wants for k, e in self.fields.items() if self._takes_reference(k, e)}
        self.picker = ReferencePicker(refs, targets, lambda key, ref: self.fields[key].insert(ref))
        self.ref_select = self.picker.select
        self.ref_target = self.picker.target
        self.insert_button = self.picker.insert_button
        helper = self.picker.widget
        for widget in (self.id_text, self.description_text):
            widget.observe(self._changed, names="value")
        for editor in self.fields.values():
            editor.observe(self._changed)
        self.widget = w.VBox(
            [
                self.title,
                self.note,
                self.id_text,
                self.description_text,
                *(e.box for e in self.fields.values()),
                helper,
            ],
            layout=w.Layout(width="100%"),
        )
        self._quiet = False

    def _build(self) -> None:
        """Fill ``title`` and ``fields`` (per kind)."""

    @staticmethod
    def _takes_reference(key: str, editor: FieldEditor) -> bool:
        return key.startswith("with.") or key in ("condition", "items")

    # -- what the form edits
    def node_dict(self) -> dict[str, Any]:
        """The node as the form shows it (without children: the canvas keeps those)."""
        out: dict[str, Any] = {"id": self.id_text.value.strip(), "kind": self.node.get("kind")}
        desc = self.description_text.value.strip()
        if desc:
            out["description"] = desc
        self._write(out)
        return out

    def _write(self, out: dict[str, Any]) -> None:
        for key, editor in self.fields.items():
            value = editor.value()
            if value is not MISSING:
                out[key] = value

    def set_field(self, key: str, value: Any) -> None:
        """Set one field as a person would (``with.email``, ``condition`` …)."""
        editor = self.fields.get(key) or self.fields.get(f"with.{key}")
        if editor is None:
            raise KeyError(f"no field {key!r} on this form; fields: {', '.join(self.fields)}")
        editor.set_value(value)

    def insert_reference(self, ref: str, into: str | None = None) -> None:
        """The helper as code: choose the target field, then ``ref``, and click Insert."""
        target = None
        if into is not None:
            target = into if into in self.fields else f"with.{into}"
        self.picker.choose(ref, target)
        self.insert_button.click()

    def references(self, into: str | None = None) -> list[str]:
        """The references the picker offers for field ``into`` (default: the chosen one)."""
        target = None if into is None else (into if into in self.fields else f"with.{into}")
        return self.picker.offered(target)

    def show_issues(self, issues: list[Any]) -> None:
        """Show each issue on its field, the rest at the top of the form."""
        by_field: dict[str, list[str]] = {}
        rest = []
        for issue in issues:
            key = _field_key(str(issue.field or ""), self.fields)
            if key:
                by_field.setdefault(key, []).append(issue.message)
            else:
                rest.append(issue.message)
        for key, editor in self.fields.items():
            editor.show_issues(by_field.get(key, []))
        self.note.value = "<br>".join(message_html(m, "error") for m in rest)

    # -- events
    def _changed(self, _change: Any = None) -> None:
        if self._quiet:
            return
        old = str(self.node.get("id"))
        node = self.node_dict()
        self.on_change(node, old)
        if self.id_text.value.strip() == node.get("id"):  # not reverted by the canvas
            self.node = {**self.node, **node}

    def revert_id(self, node_id: str, why: str) -> None:
        """Put the id back (a refused rename) and say why."""
        self._quiet = True
        self.id_text.value = node_id
        self._quiet = False
        self.note.value = message_html(why, "error")


def _field_key(fld: str, fields: Mapping[str, Any]) -> str | None:
    if fld in fields:
        return fld
    if fld.startswith("with."):
        key = "with." + fld[5:].split(".")[0].split("[")[0]
        return key if key in fields else None
    head = fld.split(".")[0].split("[")[0]
    return head if head in fields else None


class ActionForm(NodeForm):
    """An action node: its parameters (from the input model) and error handling."""

    kind = "action"

    def __init__(
        self,
        node: Mapping[str, Any],
        spec: ActionSpec | None,
        refs: Sequence[tuple[str, ValueKind] | str],
        on_change: OnChange,
    ) -> None:
        self.spec = spec
        super().__init__(node, refs, on_change)

    def _build(self) -> None:
        action = str(self.node.get("action"))
        spec = self.spec
        if spec is None:
            self.title.value = f"<h4>{esc(action)}</h4>" + message_html(
                "this action is not in the catalogue", "error"
            )
            return
        perms = ", ".join(sorted(spec.permissions)) or "none"
        extra = f" · one of: {', '.join(spec.require_one_of)}" if spec.require_one_of else ""
        self.title.value = (
            f"<h4 style='margin:2px 0'>{esc(action)}</h4><div>{esc(spec.description)}</div>"
            f"<div style='color:#666;font-size:90%'>permissions: {esc(perms)}"
            f"{' · side effects' if spec.side_effects else ''}{esc(extra)}</div>"
        )
        params = self.node.get("with") if isinstance(self.node.get("with"), Mapping) else {}
        for name, editor in editors_for_model(spec.input_model, params or {}).items():
            self.fields[f"with.{name}"] = editor
        self.fields["on_error"] = FieldEditor(
            "on_error",
            "choice",
            choices=["fail", "continue"],
            default="fail",
            value=self.node.get("on_error", MISSING),
            description="fail stops the run when this step fails; continue goes on",
        )
        retry = self.node.get("retry") if isinstance(self.node.get("retry"), Mapping) else {}
        self.fields["retry.max_attempts"] = FieldEditor(
            "retry.max_attempts",
            "int",
            label="attempts",
            default=1,
            required=False,
            value=(retry or {}).get("max_attempts", MISSING),
            description="total tries, the first included (1: no retry)",
        )
        self.fields["timeout_s"] = FieldEditor(
            "timeout_s",
            "number_text",
            label="timeout (s)",
            value=self.node.get("timeout_s", MISSING),
            description="seconds one attempt may take",
        )

    def _write(self, out: dict[str, Any]) -> None:
        out["action"] = self.node.get("action")
        params: dict[str, Any] = {}
        for key, editor in self.fields.items():
            value = editor.value()
            if value is MISSING:
                continue
            if key.startswith("with."):
                params[key[5:]] = value
            elif key == "retry.max_attempts":
                out["retry"] = {**(self.node.get("retry") or {}), "max_attempts": value}
            else:
                out[key] = value
        out["with"] = params


class IfElseForm(NodeForm):
    """An if-else node: its condition."""

    kind = "if_else"

    def _build(self) -> None:
        self.title.value = (
            "<h4 style='margin:2px 0'>If-else</h4><div>runs <i>then</i> when "
            "the condition holds, <i>else</i> otherwise</div>"
        )
        self.fields["condition"] = FieldEditor(
            "condition",
            "text",
            required=True,
            value=self.node.get("condition", MISSING),
            description="one {{ … }} expression that gives true or false",
            wants="boolean",
        )


class LoopForm(NodeForm):
    """A loop node: its list, variable, bound and concurrency."""

    kind = "loop"

    def _build(self) -> None:
        self.title.value = (
            "<h4 style='margin:2px 0'>Loop</h4><div>runs its body once per item</div>"
        )
        get = self.node.get
        self.fields["items"] = FieldEditor(
            "items",
            "json",
            required=True,
            value=get("items", MISSING),
            description="one {{ … }} expression that gives a list",
            wants="list",
        )
        self.fields["as"] = FieldEditor(
            "as",
            "text",
            label="as (variable)",
            value=get("as", MISSING),
            description="item by default",
        )
        self.fields["max_iterations"] = FieldEditor(
            "max_iterations", "int", required=True, value=get("max_iterations", MISSING)
        )
        self.fields["concurrency"] = FieldEditor(
            "concurrency", "int", default=1, value=get("concurrency", MISSING)
        )
        self.fields["on_item_error"] = FieldEditor(
            "on_item_error",
            "choice",
            choices=["fail", "continue"],
            default="fail",
            value=get("on_item_error", MISSING),
        )


def form_for(
    node: Mapping[str, Any],
    spec: ActionSpec | None,
    refs: Sequence[tuple[str, ValueKind] | str],
    on_change: OnChange,
) -> NodeForm:
    """The form that edits ``node``."""
    kind = node.get("kind")
    if kind == "if_else":
        return IfElseForm(node, refs, on_change)
    if kind == "loop":
        return LoopForm(node, refs, on_change)
    return ActionForm(node, spec, refs, on_change)
