"""The façade's verbs the faces use (the rest is tested through the faces and the store)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wfbench.errors import DefinitionError, IdempotencyConflict, NameTaken, WfbenchError
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


def test_names_find_and_name_free(wb: Workbench) -> None:
    info = wb.save(HELLO)
    assert wb.workflows.find("hello") == wb.workflows.find(info.id) == info
    assert wb.workflows.find("Nobody") is None
    assert not wb.workflows.name_free("HELLO")
    assert wb.workflows.name_free("Hello", workflow_id=info.id)
    assert wb.workflows.name_free("Other")
    with pytest.raises(NameTaken) as taken:
        wb.create("hello")
    assert taken.value.name == "hello" and isinstance(taken.value, WfbenchError)


def test_save_with_a_conflict_policy(wb: Workbench) -> None:
    first = wb.save(HELLO)
    again = wb.save(HELLO)  # the notebook's way: a new version of that workflow
    assert (again.id, again.version) == (first.id, 2)
    with pytest.raises(NameTaken):
        wb.save(HELLO, on_conflict="refuse")
    other = wb.save({**HELLO, "name": "Other"})
    with pytest.raises(NameTaken):  # renaming onto a taken name
        wb.save(HELLO, workflow_id=other.id)
    report = wb.validate({**HELLO, "name": "Third"})
    assert wb.save(report, on_conflict="refuse").name == "Third"
    with pytest.raises(DefinitionError):
        wb.save(wb.validate({"name": ""}))


def test_definition_is_state_and_model_at_once(wb: Workbench) -> None:
    wb.save(HELLO)
    info, workflow = wb.workflows.definition("Hello")
    assert info.name == workflow.name == "Hello" and info.version == 1


def test_check_input_applies_defaults_and_lists_every_problem(wb: Workbench) -> None:
    wb.save(HELLO)
    ok = wb.runs.check_input("Hello", {"name": "Ada"})
    assert ok.ok and ok.value == {"name": "Ada", "times": 1}
    bad = wb.runs.check_input(wb.get("Hello"), {"times": "x", "extra": 1})
    assert not bad.ok and bad.value is None and "input schema" in bad.summary
    assert {p for p, _ in bad.problems} >= {"", "/times"}
    assert wb.runs().empty  # nothing was started


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


def test_catalogues_and_keys(wb: Workbench, tmp_path: Path) -> None:
    wb.catalogue.define_role("auditor", ["users:read"])
    assert "auditor" in [r.name for r in wb.catalogue.roles(format="objects")]
    assert wb.catalogue.actions(format="registry").get("core.log").name == "core.log"
    key = wb.access.create_key("bot", "viewer")
    found = wb.access.verify_key(key)
    assert found is not None and found.role == "viewer"
    assert [k.name for k in wb.access.list_keys()] == ["bot"]
    assert wb.access.revoke_key("bot").revoked
    assert wb.access.verify_key(key) is None
    elsewhere = Workbench(tmp_path / "absent.duckdb")
    assert [r.name for r in elsewhere.catalogue.roles(format="objects")][:1] == ["read_only"]
    assert not (tmp_path / "absent.duckdb").exists()  # reading roles made no file
