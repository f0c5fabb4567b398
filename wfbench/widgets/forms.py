"""Side-panel forms for a selected node, generated from each action's input model.

Every parameter gets a widget that fits its type (:mod:`wfbench.widgets.fields`).

Every field that takes a reference (an action's parameters, a condition, a
loop's items) is a type-ahead box (:mod:`wfbench.widgets.typeahead`): its list
offers the typed references in scope that fit that field
(:mod:`wfbench.widgets.picker`), each with its sample value
(:mod:`wfbench.widgets.samples`), and a pick inserts ``{{ ref }}`` at the cursor.
``form.insert_reference(ref, into)`` is the code twin.

A form knows nothing of the canvas: it reports the edited node (a dict of the
definition format) to ``on_change(node, old_id)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as w

from wfbench.actions import ActionSpec
from wfbench.validation import Kind as ValueKind
from wfbench.widgets.base import esc, for_notebook, message_html
from wfbench.widgets.condition_builder import ConditionBuilder
from wfbench.widgets.fields import FieldEditor, Kind, editors_for_model, field_kind
from wfbench.widgets.picker import ReferencePicker
from wfbench.widgets.schema import MISSING
from wfbench.widgets.typeahead import suggestions

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
        samples: Mapping[str, Any] | None = None,
    ) -> None:
        self.node = dict(node)
        self.on_change = on_change
        self.refs = refs
        self.samples = dict(samples or {})
        """Sample values of the references (:mod:`~wfbench.widgets.samples`), shown in the lists."""
        self.extra: list[Any] = []
        """Widgets a kind shows above its fields (the if-else's condition builder)."""
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
        typed = self.picker.refs
        for key, wants in targets.items():
            self.fields[key].offer(suggestions(typed, wants, self.samples))
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
                *self.extra,
                *(e.box for e in self.fields.values()),
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

    def lists(self) -> dict[str, dict[str, Any]]:
        """The type-ahead lists of its fields, by box key (what the page script shows)."""
        return {
            e.typeahead.key: e.typeahead.listed()
            for e in self.fields.values()
            if e.typeahead is not None
        }

    @property
    def targets(self) -> list[str]:
        """The fields that take a reference (each a type-ahead box), in form order."""
        return list(self.picker.targets)

    def insert_reference(self, ref: str, into: str | None = None) -> None:
        """A pick from field ``into``'s list (default: the first field that takes one), the
        cursor at its end: ``{{ ref }}`` goes in by the rule of
        :func:`~wfbench.widgets.picker.insert_reference`; a reference that does not fit the
        field is refused (``KeyError``)."""
        target = None
        if into is not None:
            target = into if into in self.fields else f"with.{into}"
        self.picker.insert(ref, target)

    def references(self, into: str | None = None) -> list[str]:
        """The references field ``into``'s list offers (default: the first field's)."""
        target = None if into is None else (into if into in self.fields else f"with.{into}")
        return self.picker.offered(target)

    def show_issues(self, issues: list[Any]) -> None:
        """Show each issue on its field, the rest at the top of the form."""
        by_field: dict[str, list[str]] = {}
        rest = []
        for issue in issues:
            key = _field_key(str(issue.field or ""), self.fields)
            if key:
                by_field.setdefault(key, []).append(for_notebook(issue.message))
            else:
                rest.append(for_notebook(issue.message))
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
        samples: Mapping[str, Any] | None = None,
    ) -> None:
        self.spec = spec
        super().__init__(node, refs, on_change, samples)

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
        editors = editors_for_model(spec.input_model, params or {}, references=True)
        for name, editor in editors.items():
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
    """An if-else node: its condition, and the condition builder that writes it."""

    kind = "if_else"

    def _build(self) -> None:
        self.builder = ConditionBuilder(
            self.refs,
            self.node.get("condition"),
            lambda text: self.fields["condition"].set_value(text),
        )
        self.extra = [self.builder.widget]
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
            references=True,
        )

    def _changed(self, _change: Any = None) -> None:
        condition = self.fields["condition"].value()
        if not self._quiet and condition != self.builder.written:  # typed by hand
            self.builder.load(condition)
        super()._changed(_change)


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
            references=True,
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
    samples: Mapping[str, Any] | None = None,
) -> NodeForm:
    """The form that edits ``node`` (``samples``: the references' sample values)."""
    kind = node.get("kind")
    if kind == "if_else":
        return IfElseForm(node, refs, on_change, samples)
    if kind == "loop":
        return LoopForm(node, refs, on_change, samples)
    return ActionForm(node, spec, refs, on_change, samples)


__all__ = [
    "ActionForm",
    "FieldEditor",
    "IfElseForm",
    "Kind",
    "LoopForm",
    "NodeForm",
    "editors_for_model",
    "field_kind",
    "form_for",
]
