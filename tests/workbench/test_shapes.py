"""wfbench.workbench.shapes: the run document, the idempotency rule, the name refusal."""

from __future__ import annotations

from wfbench.errors import NameTaken
from wfbench.model import Workflow
from wfbench.workbench.shapes import RUN_KEYS, STEP_KEYS, name_taken, run_document, same_input_rule


def test_run_document_keeps_only_the_shown_keys() -> None:
    run = {k: f"v-{k}" for k in RUN_KEYS} | {"workflow_id": "wf_x", "extra": 1}
    run["steps"] = [{k: k for k in STEP_KEYS} | {"run_id": "r", "started_at": "t"}]
    document = run_document(run)
    assert list(document) == [*RUN_KEYS, "steps"]
    assert "workflow_id" not in document and "extra" not in document
    assert document["steps"] == [{k: k for k in STEP_KEYS}]
    assert run_document({})["steps"] == []


def test_a_retry_repeats_a_start_with_the_same_input_or_its_defaults() -> None:
    workflow = Workflow.model_validate(
        {
            "format": "wfbench/v1",
            "name": "t",
            "run_as": "read_only",
            "trigger": {
                "input_schema": {
                    "type": "object",
                    "properties": {"n": {"type": "integer", "default": 3}},
                }
            },
        }
    )
    assert same_input_rule({"n": 1}, {"n": 1}, workflow)
    assert same_input_rule({"n": 3}, {}, workflow)
    assert not same_input_rule({"n": 1}, {"n": 2}, workflow)


def test_name_taken_says_what_to_do() -> None:
    error = name_taken("Offboard")
    assert isinstance(error, NameTaken)
    assert "a workflow named 'Offboard' already exists (names ignore case)" in str(error)
