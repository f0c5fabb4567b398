"""The wfbench/v1 model: loading, canonical export and the published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from wfbench.model import (
    ActionNode,
    IfElseNode,
    LoopNode,
    Workflow,
    dump_workflow,
    iter_nodes,
    json_schema,
    to_document,
)
from wfbench.validation import load_workflow

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).parent.parent / "wfbench" / "samples"
EXAMPLES = ["onboard_new_hire.json", "offboard_contractor.json"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_export_is_canonical_and_round_trips(name: str) -> None:
    original = json.loads((SAMPLES / name).read_text())
    wf = load_workflow(SAMPLES / name)
    text = dump_workflow(wf)
    assert json.loads(text) == original  # an equal JSON document
    assert dump_workflow(load_workflow(text)) == text  # the same bytes the second time


def test_node_kinds_are_a_discriminated_union() -> None:
    wf = load_workflow(SAMPLES / "offboard_contractor.json")
    kinds = [type(n).__name__ for n in iter_nodes(wf.steps)]
    assert kinds[:4] == ["ActionNode", "IfElseNode", "ActionNode", "LoopNode"]
    branch = wf.steps[1]
    assert isinstance(branch, IfElseNode)
    assert isinstance(branch.else_[0], ActionNode)
    assert branch.else_[0].action == "core.fail"
    loop = branch.then[1]
    assert isinstance(loop, LoopNode)
    assert (loop.as_, loop.max_iterations, loop.concurrency) == ("group", 500, 1)


def test_defaults_are_left_out_of_the_export() -> None:
    wf = Workflow.model_validate(
        {
            "name": "x",
            "run_as": "read_only",
            "steps": [
                {"id": "a", "kind": "action", "action": "core.log", "with": {"message": "hi"}}
            ],
        }
    )
    doc = to_document(wf)
    assert list(doc) == ["name", "run_as", "steps"]
    assert doc["steps"] == [
        {"id": "a", "kind": "action", "action": "core.log", "with": {"message": "hi"}}
    ]


@pytest.mark.parametrize("name", EXAMPLES)
def test_published_schema_accepts_the_examples(name: str) -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads((SAMPLES / name).read_text()), schema)


def test_published_schema_refuses_a_loop_without_bound() -> None:
    doc = json.loads((FIXTURES / "invalid" / "loop_without_bound.json").read_text())
    with pytest.raises(jsonschema.ValidationError) as info:
        jsonschema.validate(doc, json_schema())
    reasons = [e.message for e in info.value.context or []]
    assert "'max_iterations' is a required property" in reasons


def test_every_model_field_is_documented() -> None:
    schema = json_schema()
    for name, definition in schema["$defs"].items():
        for field, prop in definition.get("properties", {}).items():
            if field != "kind":
                assert prop.get("description"), f"{name}.{field} has no description"


def test_a_file_without_optional_fields_round_trips_to_an_equal_document() -> None:
    doc = {
        "name": "minimal",
        "run_as": "read_only",
        "steps": [{"id": "a", "kind": "action", "action": "core.log", "with": {"message": "hi"}}],
    }
    assert json.loads(dump_workflow(load_workflow(doc))) == doc
