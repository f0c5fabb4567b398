"""wfbench.validation.trigger: the input schema and the sample input."""

from __future__ import annotations

from typing import Any

from wfbench.model import Workflow
from wfbench.validation.trigger import MAX_SCHEMA_NESTING, check_trigger, nesting


def _workflow(schema: dict[str, Any], sample: Any = None) -> Workflow:
    trigger: dict[str, Any] = {"input_schema": schema}
    if sample is not None:
        trigger["sample_input"] = sample
    return Workflow.model_validate(
        {"format": "wfbench/v1", "name": "t", "run_as": "read_only", "trigger": trigger}
    )


def test_nesting_counts_objects_and_lists_up_to_the_limit() -> None:
    assert nesting(1) == 0
    assert nesting({"a": [1, {"b": 2}]}) == 3
    deep: Any = []
    for _ in range(100):
        deep = [deep]
    assert nesting(deep, limit=10) == 11


def test_a_closed_schema_gives_its_properties() -> None:
    schema = {"type": "object", "properties": {"email": {"type": "string"}}}
    issues, props = check_trigger(_workflow(schema, {"email": "a@b.c"}))
    assert issues == []
    assert props == {"email": {"type": "string"}}


def test_an_open_schema_gives_no_properties_to_check_against() -> None:
    assert check_trigger(_workflow({"type": "object"})) == ([], None)


def test_every_refusal_names_where() -> None:
    (issue,), _ = check_trigger(_workflow({"type": "array"}))
    assert (issue.code, issue.pointer) == ("schema.invalid", "/trigger/input_schema/type")
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    (issue,), _ = check_trigger(_workflow(schema, {"n": "x"}))
    assert (issue.code, issue.pointer) == ("schema.sample", "/trigger/sample_input/n")
    deep: dict[str, Any] = {}
    for _ in range(MAX_SCHEMA_NESTING + 1):
        deep = {"not": deep}
    (issue,), props = check_trigger(_workflow(deep))
    assert props is None and "nested more than" in issue.message
