"""The Manual trigger card: the run-time input's schema and sample.

A person defines what is typed when the workflow is started: a table of fields
(name, type, required, default, enum), or the JSON Schema itself, or a sample
input from which *Infer schema* proposes the fields (:func:`infer_schema`).
The three views are kept in sync; whatever detail the table does not show
(``format``, ``items``, ``minLength`` …) survives edits of the table.

The card reports the trigger (``{"input_schema", "sample_input"}``) to
``on_change``; it never validates the schema, the canvas does that at save.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w

from wfbench.widgets.base import button, message_html
from wfbench.widgets.schema import MISSING, TYPES, FieldSpec, fields_of, infer_schema
from wfbench.widgets.schema import schema_from_fields as _schema_from_fields

__all__ = ["FieldRow", "TriggerCard", "infer_schema"]


class FieldRow:
    """One input field in the table."""

    def __init__(
        self, spec: FieldSpec, on_change: Callable[[], None], on_remove: Callable[[FieldRow], None]
    ) -> None:
        self.extra = dict(spec.extra)
        self.name_text = w.Text(
            value=spec.name,
            placeholder="name",
            continuous_update=False,
            layout=w.Layout(flex="3 1 0", min_width="0", width="auto"),
        )
        self.type_select = w.Dropdown(
            options=list(TYPES),
            value=spec.type,
            layout=w.Layout(flex="0 0 84px", min_width="0", width="84px"),
        )
        self.required_check = w.Checkbox(
            value=spec.required, indent=False, layout=w.Layout(flex="0 0 24px", width="24px")
        )
        default = "" if spec.default is MISSING else json.dumps(spec.default)
        self.default_text = w.Text(
            value=default,
            placeholder="default",
            continuous_update=False,
            layout=w.Layout(flex="2 1 0", min_width="0", width="auto"),
        )
        enum = "" if spec.enum is None else ", ".join(_enum_text(v) for v in spec.enum)
        self.enum_text = w.Text(
            value=enum,
            placeholder="enum: a, b",
            continuous_update=False,
            layout=w.Layout(flex="2 1 0", min_width="0", width="auto"),
        )
        self.remove_button = w.Button(
            icon="trash",
            tooltip="remove this field",
            layout=w.Layout(flex="0 0 32px", width="32px"),
        )
        self.remove_button.on_click(lambda _: on_remove(self))
        for widget in (
            self.name_text,
            self.type_select,
            self.required_check,
            self.default_text,
            self.enum_text,
        ):
            widget.observe(lambda _: on_change(), names="value")
        self.widget = w.HBox(
            [
                self.name_text,
                self.type_select,
                self.required_check,
                self.default_text,
                self.enum_text,
                self.remove_button,
            ]
        )

    def spec(self) -> tuple[FieldSpec, list[str]]:
        """The row as a field, and what is wrong with it."""
        problems = []
        name = self.name_text.value.strip()
        default: Any = MISSING
        if self.default_text.value.strip():
            try:
                default = json.loads(self.default_text.value)
            except ValueError:
                default = self.default_text.value  # a bare word is taken as a string
                if self.type_select.value != "string":
                    problems.append(f"{name}: the default is not JSON")
        enum = None
        if self.enum_text.value.strip():
            enum = [
                _enum_value(v.strip(), self.type_select.value)
                for v in self.enum_text.value.split(",")
                if v.strip()
            ]
        spec = FieldSpec(
            name, self.type_select.value, self.required_check.value, default, enum, dict(self.extra)
        )
        return spec, problems


def _enum_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _enum_value(text: str, kind: str) -> Any:
    if kind == "string":
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


class TriggerCard:
    """The trigger's form: field table, JSON Schema, sample input, Infer schema."""

    def __init__(
        self, trigger: Mapping[str, Any], on_change: Callable[[dict[str, Any]], None]
    ) -> None:
        self.on_change = on_change
        self._quiet = True
        schema = trigger.get("input_schema")
        self.schema: dict[str, Any] = (
            dict(schema) if isinstance(schema, Mapping) else {"type": "object", "properties": {}}
        )
        self.sample: Any = trigger.get("sample_input")
        self.rows: list[FieldRow] = []
        self.rows_box = w.VBox()
        self.add_field_button = button("Add field", icon="plus")
        self.add_field_button.on_click(lambda _: self.add_field(""))
        self.schema_text = w.Textarea(
            continuous_update=False, layout=w.Layout(width="100%", height="160px")
        )
        self.sample_text = w.Textarea(
            value="" if self.sample is None else json.dumps(self.sample, indent=2),
            continuous_update=False,
            placeholder='{"email": "ada@example.com"}',
            layout=w.Layout(width="100%", height="110px"),
        )
        self.infer_button = button("Infer schema from sample", icon="magic")
        self.infer_button.on_click(lambda _: self.infer())
        self.message = w.HTML()
        self.schema_text.observe(self._schema_edited, names="value")
        self.sample_text.observe(self._sample_edited, names="value")
        header = w.HTML(
            "<span style='font-size:85%;color:#666'>name · type · required · default · enum</span>"
        )
        self.widget = w.VBox(
            [
                w.HTML(
                    "<h4 style='margin:2px 0'>Manual trigger</h4><div>What a person enters "
                    "when they run the workflow.</div>"
                ),
                w.HTML("<b>Input fields</b>"),
                header,
                self.rows_box,
                self.add_field_button,
                w.HTML("<b>Sample input (JSON)</b>"),
                self.sample_text,
                self.infer_button,
                w.HTML("<b>JSON Schema</b>"),
                self.schema_text,
                self.message,
            ]
        )
        self._load_rows()
        self._show_schema()
        self._quiet = False

    # -- the trigger as the card holds it
    def trigger(self) -> dict[str, Any]:
        out: dict[str, Any] = {"input_schema": self.schema}
        if self.sample is not None:
            out["sample_input"] = self.sample
        return out

    # -- code twins
    def add_field(
        self,
        name: str,
        type: str = "string",
        *,
        required: bool = False,
        default: Any = MISSING,
        enum: list[Any] | None = None,
    ) -> FieldRow:
        """Add a row (what *Add field* does, with the row filled in)."""
        row = FieldRow(
            FieldSpec(name, type, required, default, enum), self._rows_edited, self._remove
        )
        self.rows.append(row)
        self.rows_box.children = tuple(r.widget for r in self.rows)
        if name:
            self._rows_edited()
        return row

    def remove_field(self, name: str) -> None:
        """Remove the row of field ``name`` (its trash button)."""
        for row in self.rows:
            if row.name_text.value == name:
                row.remove_button.click()
                return
        raise KeyError(f"no input field {name!r}")

    def infer(self) -> None:
        """Replace the schema by one inferred from the sample (the *Infer* button)."""
        if not isinstance(self.sample, dict):
            self.message.value = message_html("give a sample input (a JSON object) first", "error")
            return
        self.schema = infer_schema(self.sample)
        self._load_rows()
        self._show_schema()
        self.message.value = message_html(
            f"inferred {len(self.rows)} field(s) from the sample; adjust required and defaults",
            "ok",
        )
        self._emit()

    # -- sync
    def _load_rows(self) -> None:
        self.rows = [FieldRow(s, self._rows_edited, self._remove) for s in fields_of(self.schema)]
        self.rows_box.children = tuple(r.widget for r in self.rows)

    def _show_schema(self) -> None:
        quiet, self._quiet = self._quiet, True
        self.schema_text.value = json.dumps(self.schema, indent=2, ensure_ascii=False)
        self._quiet = quiet

    def _remove(self, row: FieldRow) -> None:
        self.rows = [r for r in self.rows if r is not row]
        self.rows_box.children = tuple(r.widget for r in self.rows)
        self._rows_edited()

    def _rows_edited(self) -> None:
        if self._quiet:
            return
        specs, problems = [], []
        for row in self.rows:
            spec, bad = row.spec()
            specs.append(spec)
            problems += bad
        names = [s.name for s in specs if s.name]
        if len(names) != len(set(names)):
            problems.append("two fields have the same name")
        self.schema = _schema_from_fields(specs, self.schema)
        self._show_schema()
        self.message.value = "<br>".join(message_html(p, "error") for p in problems)
        self._emit()

    def _schema_edited(self, change: Mapping[str, Any]) -> None:
        if self._quiet:
            return
        try:
            schema = json.loads(change["new"])
        except ValueError as exc:
            self.message.value = message_html(f"the schema is not JSON: {exc}", "error")
            return
        if not isinstance(schema, dict):
            self.message.value = message_html("the schema must be a JSON object", "error")
            return
        self.schema = schema
        quiet, self._quiet = self._quiet, True
        self._load_rows()
        self._quiet = quiet
        self.message.value = ""
        self._emit()

    def _sample_edited(self, change: Mapping[str, Any]) -> None:
        if self._quiet:
            return
        text = change["new"].strip()
        if not text:
            self.sample = None
        else:
            try:
                self.sample = json.loads(text)
            except ValueError as exc:
                self.message.value = message_html(f"the sample is not JSON: {exc}", "error")
                return
        self.message.value = ""
        self._emit()

    def _emit(self) -> None:
        self.on_change(self.trigger())
