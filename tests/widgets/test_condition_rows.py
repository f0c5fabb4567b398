"""The condition builder's model (wfbench.widgets.condition_rows): rows ↔ expression."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wfbench
from wfbench.widgets.condition_rows import (
    OPERATORS,
    Row,
    from_expression,
    parse_value,
    show_value,
    to_expression,
)

SAMPLES = Path(__file__).parents[2] / "wfbench" / "samples"
TYPE = "steps.user.output.employee_type"


@pytest.mark.parametrize(
    ("rows", "join", "text"),
    [
        ([Row(TYPE, "equals", "contractor")], "all", f"{{{{ {TYPE} == 'contractor' }}}}"),
        ([Row(TYPE, "not equals", "employee")], "all", f"{{{{ {TYPE} != 'employee' }}}}"),
        ([Row("input.n", "in", [1, 2])], "all", "{{ input.n in [1, 2] }}"),
        ([Row("input.e", "contains", "@")], "all", "{{ contains(input.e, '@') }}"),
        ([Row("input.e", "starts with", "a")], "all", "{{ startswith(input.e, 'a') }}"),
        ([Row("group.name", "is empty")], "all", "{{ len(group.name) == 0 }}"),
        ([Row("input.n", "greater than", 3)], "all", "{{ input.n > 3 }}"),
        ([Row("input.n", "less than", -2.5)], "all", "{{ input.n < -2.5 }}"),
        ([Row("input.b", "equals", True)], "all", "{{ input.b == true }}"),
        (
            [Row(TYPE, "equals", "contractor"), Row("input.force", "equals", True)],
            "any",
            f"{{{{ {TYPE} == 'contractor' or input.force == true }}}}",
        ),
        ([], "all", "{{ true }}"),
    ],
)
def test_rows_write_an_ordinary_expression_and_read_back(
    rows: list[Row], join: Any, text: str
) -> None:
    assert to_expression(rows, join) == text
    if rows:
        assert from_expression(text) == (rows, join)


@pytest.mark.parametrize(
    "text",
    [
        "{{ steps.user.output.employee_type == 'contractor' }}",  # the sample's, typed by hand
        "{{steps.user.output.employee_type=='contractor'}}",
        "{{ input.a == 1 and input.b != 'x' and startswith(input.c, 'y') }}",
        "{{ len(input.tags) == 0 or 'a' in input.tags }}",
    ],
)
def test_a_hand_written_expression_it_can_read_opens_in_the_builder(text: str) -> None:
    found = from_expression(text)
    if "'a' in input.tags" in text:
        assert found is None  # value-in-field is not a row shape
        return
    assert found is not None
    rows, join = found
    assert from_expression(to_expression(rows, join)) == (rows, join)


@pytest.mark.parametrize(
    "text",
    [
        "{{ true }}",
        "{{ a == 1 and b == 2 or c == 3 }}",
        "{{ not input.x }}",
        "{{ input.a == input.b }}",
        "{{ input.a in 'abc' }}",
        "is {{ input.a == 1 }}",
        "{{ input.a == 1 }} {{ input.b == 2 }}",
        "{{ (",
        True,
        "plain",
        "{{ input[input.k] == 1 }}",
    ],
)
def test_what_it_cannot_read_stays_hand_written(text: Any) -> None:
    assert from_expression(text) is None


def test_the_written_condition_passes_the_typed_check() -> None:
    doc = json.loads((SAMPLES / "offboard_contractor.json").read_text())
    branch = doc["steps"][1]
    assert branch["id"] == "is_contractor"
    for op in OPERATORS:
        value: Any = ["a", "b"] if op == "in" else "contractor"
        trial = copy.deepcopy(doc)
        trial["steps"][1]["condition"] = to_expression([Row(TYPE, op, value)])
        report = wfbench.validate(trial)
        assert [i.code for i in report.errors] == [], (op, report.errors)


@pytest.mark.parametrize(
    ("typed", "kind", "op", "value"),
    [
        ("contractor", "string", "equals", "contractor"),
        ("3", "number", "greater than", 3),
        ("2.5", "number", "less than", 2.5),
        ("x", "number", "equals", "x"),
        ("true", "boolean", "equals", True),
        ("a, b,c", "string", "in", ["a", "b", "c"]),
        ("1, 2", "number", "in", [1, 2]),
    ],
)
def test_what_a_person_types_becomes_the_value(typed: str, kind: str, op: Any, value: Any) -> None:
    assert parse_value(typed, kind, op) == value
    assert parse_value(show_value(value), kind, op) == value


_field = st.sampled_from([TYPE, "input.n", "group.id", "steps.x.output.groups[0].name"])
_scalar = st.one_of(
    st.text(max_size=10), st.integers(-1000, 1000), st.booleans(), st.none(), st.floats(-1e3, 1e3)
)


@st.composite
def _rows(draw: st.DrawFn) -> Row:
    op = draw(st.sampled_from(OPERATORS))
    if op == "is empty":
        return Row(draw(_field), op)
    value = draw(st.lists(_scalar, max_size=3)) if op == "in" else draw(_scalar)
    return Row(draw(_field), op, value)


@given(st.lists(_rows(), min_size=1, max_size=4), st.sampled_from(["all", "any"]))
def test_round_trip_for_any_rows(rows: list[Row], join: Any) -> None:
    expected = join if len(rows) > 1 else "all"  # one row has no join to keep
    assert from_expression(to_expression(rows, join)) == (rows, expected)
