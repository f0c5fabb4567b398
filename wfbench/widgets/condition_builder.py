"""The condition builder of an if-else: tests picked with the mouse, written as an expression.

Each test is a row: a field (from the typed picker's list: what the node may
read, with its type), an operator (:data:`~wfbench.widgets.condition_rows.OPERATORS`)
and a value; the rows are combined with *all of* (and) or *any of* (or). Every
change writes an ordinary expression into the condition field
(:func:`~wfbench.widgets.condition_rows.to_expression`), so what is saved is
the same as a hand-written condition. An expression the builder can read
(:func:`~wfbench.widgets.condition_rows.from_expression`) opens in it again; one
it cannot read stays as it is, and *Start over in the builder* replaces it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as w

from wfbench.validation import Kind
from wfbench.widgets.base import button
from wfbench.widgets.condition_rows import (
    OPERATORS,
    Join,
    Op,
    Row,
    from_expression,
    parse_value,
    show_value,
    to_expression,
)
from wfbench.widgets.picker import label

#: What a new if-else holds before anything is chosen: the builder starts empty on it.
_PLACEHOLDERS = ("{{ true }}", "{{true}}", "true")
_TESTABLE: tuple[Kind, ...] = ("string", "number", "boolean", "list", "unknown", "null")


class RowEditor:
    """One test: ``field``, ``op``, ``value`` and ``remove_button``."""

    def __init__(self, fields: list[tuple[str, str]], row: Row | None, changed: Callable[[], None]):
        narrow = w.Layout(width="auto", min_width="0", flex="1 1 0")
        self.field = w.Dropdown(options=[("— field —", None), *fields], layout=narrow)
        self.op = w.Dropdown(options=list(OPERATORS), layout=w.Layout(width="120px"))
        self.value = w.Text(
            placeholder="value", continuous_update=False, layout=w.Layout(width="110px")
        )
        self.remove_button = button("", icon="times", tooltip="remove this test")
        self.remove_button.layout.width = "32px"
        if row is not None:
            values = [v for _, v in self.field.options]
            if row.field not in values:  # a field the list does not have: keep it readable
                self.field.options = [*self.field.options, (row.field, row.field)]
            self.field.value = row.field
            self.op.value = row.op
            self.value.value = show_value(row.value)
        self._show_value()
        for widget in (self.field, self.op, self.value):
            widget.observe(lambda _: changed(), names="value")
        self.op.observe(lambda _: self._show_value(), names="value")
        self.widget = w.HBox(
            [self.field, self.op, self.value, self.remove_button],
            layout=w.Layout(width="100%", flex_flow="row wrap"),
        )

    def _show_value(self) -> None:
        empty = self.op.value == "is empty"
        self.value.layout.display = "none" if empty else None
        self.value.placeholder = "a, b, c" if self.op.value == "in" else "value"

    def row(self, kinds: dict[str, Kind]) -> Row | None:
        """The row as chosen, or ``None`` while no field is chosen."""
        if self.field.value is None:
            return None
        op: Op = self.op.value
        kind = kinds.get(self.field.value, "unknown")
        value = None if op == "is empty" else parse_value(self.value.value, kind, op)
        return Row(str(self.field.value), op, value)


class ConditionBuilder:
    """``join`` (all of / any of), ``rows``, ``add_button``, ``start_button``; writes on change."""

    def __init__(
        self,
        refs: Sequence[tuple[str, Kind] | str],
        condition: Any,
        on_write: Callable[[str], None],
    ) -> None:
        pairs: list[tuple[str, Kind]] = [(r, "unknown") if isinstance(r, str) else r for r in refs]
        self.kinds = dict(pairs)
        self.fields = [(label(r, k), r) for r, k in pairs if k in _TESTABLE and r != "input"]
        self.on_write = on_write
        self._quiet = True
        self.join = w.ToggleButtons(
            options=[("all of", "all"), ("any of", "any")],
            style={"button_width": "70px"},
        )
        self.rows: list[RowEditor] = []
        self.rows_box = w.VBox(layout=w.Layout(width="100%"))
        self.add_button = button("Add a test", icon="plus")
        self.start_button = button("Start over in the builder", icon="magic")
        self.note = w.HTML()
        self.add_button.on_click(lambda _: self._add())
        self.start_button.on_click(lambda _: self._start_over())
        self.join.observe(lambda _: self._write(), names="value")
        self.written: Any = None
        """The last expression the builder wrote (to tell its own edits from a person's)."""
        self.load(condition)
        self.widget = w.VBox(
            [
                w.HTML("<b>Condition builder</b>"),
                self.note,
                self.join,
                self.rows_box,
                w.HBox([self.add_button, self.start_button]),
            ],
            layout=w.Layout(border="1px solid #dde3ea", padding="4px", width="auto"),
        )

    def load(self, condition: Any) -> None:
        """Show ``condition`` as rows if it can, else say it is hand-written."""
        self._quiet = True
        parsed = from_expression(condition)
        blank = not isinstance(condition, str) or not condition.strip()
        self.readable = parsed is not None or blank or condition.strip() in _PLACEHOLDERS
        self.rows = []
        self.rows_box.children = ()
        if parsed is not None:
            rows, join = parsed
            self.join.value = join
            for row in rows:
                self._add(row)
        elif self.readable:
            self._add()
        self.written = condition
        self._show()
        self._quiet = False

    # -- code twins
    def set_row(self, i: int, field: str, op: Op = "equals", value: Any = None) -> None:
        """Fill test ``i`` as a person would (choose field, operator, type the value)."""
        while len(self.rows) <= i:
            self.add_button.click()
        editor = self.rows[i]
        editor.field.value = field
        editor.op.value = op
        if value is not None:
            editor.value.value = show_value(value)

    # -- events
    def _add(self, row: Row | None = None) -> None:
        editor = RowEditor(self.fields, row, self._write)
        editor.remove_button.on_click(lambda _: self._remove(editor))
        self.rows.append(editor)
        self.rows_box.children = tuple(r.widget for r in self.rows)

    def _remove(self, editor: RowEditor) -> None:
        self.rows.remove(editor)
        self.rows_box.children = tuple(r.widget for r in self.rows)
        self._write()

    def _start_over(self) -> None:
        self.readable = True
        self.rows = []
        self._add()
        self._show()

    def _show(self) -> None:
        for part in (self.join, self.rows_box, self.add_button):
            part.layout.display = None if self.readable else "none"
        self.start_button.layout.display = "none" if self.readable else None
        self.join.layout.display = None if self.readable and len(self.rows) > 1 else "none"
        self.note.value = (
            ""
            if self.readable
            else "<span style='color:#666'>This condition was written by hand in a form the "
            "builder cannot show; edit it below, or start over in the builder.</span>"
        )

    def _write(self) -> None:
        self._show()
        if self._quiet or not self.readable:
            return
        rows = [r for e in self.rows if (r := e.row(self.kinds)) is not None]
        if rows:
            join: Join = self.join.value
            self.written = to_expression(rows, join)
            self.on_write(self.written)


__all__ = ["ConditionBuilder", "RowEditor"]
