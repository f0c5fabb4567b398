"""The façade's verbs the faces use (the rest is tested through the faces and the store)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wfbench.errors import DefinitionError, NameTaken, WfbenchError
from wfbench.workbench import RUN_KEYS, STEP_KEYS, Workbench, run_document

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
    assert wb.find("hello") == wb.find(info.id) == info
    assert wb.find("Nobody") is None
    assert not wb.name_free("HELLO")
    assert wb.name_free("Hello", workflow_id=info.id)
    assert wb.name_free("Other")
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
    info, workflow = wb.definition("Hello")
    assert info.name == workflow.name == "Hello" and info.version == 1


def test_check_input_applies_defaults_and_lists_every_problem(wb: Workbench) -> None:
    wb.save(HELLO)
    ok = wb.check_input("Hello", {"name": "Ada"})
    assert ok.ok and ok.value == {"name": "Ada", "times": 1}
    bad = wb.check_input(wb.get("Hello"), {"times": "x", "extra": 1})
    assert not bad.ok and bad.value is None and "input schema" in bad.summary
    assert {p for p, _ in bad.problems} >= {"", "/times"}
    assert wb.runs().empty  # nothing was started


def test_same_input_is_the_idempotency_rule(wb: Workbench) -> None:
    wb.save(HELLO)
    run = wb.run("Hello", {"name": "Ada"}, idempotency_key="k1")
    assert wb.same_input(run, {"name": "Ada"})
    assert wb.same_input(run, {"name": "Ada", "times": 1})  # defaults aside
    assert not wb.same_input(run, {"name": "Bob"})
    found = wb.find_run(run.workflow_id or "", "k1")
    assert found is not None and found["run_id"] == run.run_id
    assert wb.find_run(run.workflow_id or "", "k2") is None


def test_run_document_is_the_run_record_less_store_keys(wb: Workbench) -> None:
    wb.save(HELLO)
    run = wb.run("Hello", {"name": "Ada"})
    doc = run_document(wb.get_run(run.run_id))
    assert set(doc) == {*RUN_KEYS, "steps"} and "workflow_id" not in doc
    assert [set(s) for s in doc["steps"]] == [set(STEP_KEYS)]
    assert run_document(run.to_dict()) == doc


def test_catalogues_and_keys(wb: Workbench, tmp_path: Path) -> None:
    wb.define_role("auditor", ["users:read"])
    assert "auditor" in [r.name for r in wb.role_catalogue()]
    assert wb.action_catalogue().get("core.log").name == "core.log"
    key = wb.create_api_key("bot", "viewer")
    found = wb.verify_api_key(key)
    assert found is not None and found.role == "viewer"
    assert [k.name for k in wb.api_keys()] == ["bot"]
    assert wb.revoke_api_key("bot").revoked
    assert wb.verify_api_key(key) is None
    elsewhere = Workbench(tmp_path / "absent.duckdb")
    assert [r.name for r in elsewhere.role_catalogue()][:1] == ["read_only"]
    assert not (tmp_path / "absent.duckdb").exists()  # reading roles made no file
