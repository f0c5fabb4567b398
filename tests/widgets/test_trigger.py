"""wfbench.widgets.trigger: the trigger card edits the input schema by fields, sample or JSON."""

from __future__ import annotations

import json
from typing import Any

from wfbench.widgets.trigger import TriggerCard


def test_trigger_card_edits_fields_sample_and_schema() -> None:
    seen: list[dict[str, Any]] = []
    card = TriggerCard({}, seen.append)
    card.sample_text.value = json.dumps({"email": "ada@example.com", "notify": True})
    assert seen[-1]["sample_input"] == {"email": "ada@example.com", "notify": True}
    card.infer_button.click()
    assert [r.name_text.value for r in card.rows] == ["email", "notify"]
    assert seen[-1]["input_schema"]["properties"]["email"]["format"] == "email"
    notify = card.rows[1]
    notify.required_check.value = False
    notify.default_text.value = "true"
    schema = seen[-1]["input_schema"]
    assert schema["required"] == ["email"]
    assert schema["properties"]["notify"] == {"type": "boolean", "default": True}
    card.add_field("team", "string", enum=["it", "hr"])
    assert seen[-1]["input_schema"]["properties"]["team"] == {
        "type": "string",
        "enum": ["it", "hr"],
    }
    card.remove_field("notify")
    assert list(seen[-1]["input_schema"]["properties"]) == ["email", "team"]
    assert json.loads(card.schema_text.value) == seen[-1]["input_schema"]
    # the JSON Schema box edits the table too
    card.schema_text.value = json.dumps(
        {"type": "object", "properties": {"n": {"type": "integer"}}}
    )
    assert [(r.name_text.value, r.type_select.value) for r in card.rows] == [("n", "integer")]
    card.sample_text.value = "{not json"
    assert "not JSON" in card.message.value
    assert seen[-1]["input_schema"] == {"type": "object", "properties": {"n": {"type": "integer"}}}


def test_infer_needs_an_object_sample() -> None:
    card = TriggerCard({"sample_input": None}, lambda t: None)
    card.infer_button.click()
    assert "give a sample input" in card.message.value
