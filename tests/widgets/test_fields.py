"""wfbench.widgets.fields: one editor per parameter, typed or an expression."""

from __future__ import annotations

from typing import Any

from wfbench.widgets.fields import FieldEditor, field_kind
from wfbench.widgets.schema import MISSING


def test_field_kinds_follow_the_parameter_types() -> None:
    from typing import Literal

    assert field_kind(str) == ("text", [])
    assert field_kind(bool) == ("bool", [])
    assert field_kind(bool | None) == ("tristate", [])
    assert field_kind(int) == ("int", [])
    assert field_kind(int | None) == ("number_text", [])
    assert field_kind(float) == ("float", [])
    assert field_kind(Literal["a", "b"]) == ("choice", ["a", "b"])
    assert field_kind(Literal["a", "b"] | None) == ("choice", ["a", "b"])
    assert field_kind(dict[str, Any]) == ("json", [])
    assert field_kind(Any) == ("json", [])
    assert field_kind(list[str]) == ("json", [])


def test_typed_field_holds_an_expression_from_the_definition() -> None:
    editor = FieldEditor("limit", "int", default=50, value="{{ input.n }}")
    assert editor.expression_mode and editor.value() == "{{ input.n }}"
    editor.expr_toggle.value = False
    assert editor.value() == 50  # the typed box again; the field was given, so it stays
    assert FieldEditor("limit", "int", default=50).value() is MISSING  # untouched default
