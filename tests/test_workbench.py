"""The façade's verbs the faces use (the rest is tested through the faces and the store)."""

from __future__ import annotations

from typing import Any

import pytest

from wfbench.errors import IdempotencyConflict
from wfbench.workbench import RUN_KEYS, STEP_KEYS, Workbench, run_document
from wfbench.workbench.shapes import same_input_rule

HELLO: dict[str, Any] = {
    "format": "wfbench/v1",
    "name": "Hello",
    "type": "manual",
    "run_as": "read_only",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "times": {"type": "integer", "default": 1}},
            "additionalProperties": False,
        }
    },
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "hi"}}],
}


@pytest.fixture
def wb() -> Workbench:
    return Workbench(":memory:")


def test_same_input_is_the_idempotency_rule(wb: Workbench) -> None:
    wb.save(HELLO)
    run = wb.run("Hello", {"name": "Ada"}, idempotency_key="k1")
    hello = wb.get("Hello")
    assert same_input_rule(run.input, {"name": "Ada"}, hello)
    assert same_input_rule(run.input, {"name": "Ada", "times": 1}, hello)  # defaults aside
    assert not same_input_rule(run.input, {"name": "Bob"}, hello)
    again = wb.run("Hello", {"name": "Ada", "times": 1}, idempotency_key="k1")
    assert again.run_id == run.run_id  # the retry is the first run, not another
    with pytest.raises(IdempotencyConflict):
        wb.run("Hello", {"name": "Bob"}, idempotency_key="k1")


def test_run_document_is_the_run_record_less_store_keys(wb: Workbench) -> None:
    wb.save(HELLO)
    run = wb.run("Hello", {"name": "Ada"})
    doc = run_document(wb.runs.get(run.run_id))
    assert set(doc) == {*RUN_KEYS, "steps"} and "workflow_id" not in doc
    assert [set(s) for s in doc["steps"]] == [set(STEP_KEYS)]
    assert run_document(run.to_dict()) == doc
