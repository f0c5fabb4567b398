"""wfbench.workbench.workflows: ``wb.workflows``: find, name, save, enable and delete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wfbench.errors import DefinitionError, NameTaken, WfbenchError
from wfbench.workbench import Workbench

from .support import HELLO


def test_names_find_and_name_free(memory_wb: Workbench) -> None:
    wb = memory_wb
    info = wb.save(HELLO)
    assert wb.workflows.find("hello") == wb.workflows.find(info.id) == info
    assert wb.workflows.find("Nobody") is None
    assert not wb.workflows.name_free("HELLO")
    assert wb.workflows.name_free("Hello", workflow_id=info.id)
    assert wb.workflows.name_free("Other")
    with pytest.raises(NameTaken) as taken:
        wb.create("hello")
    assert taken.value.name == "hello" and isinstance(taken.value, WfbenchError)


def test_save_with_a_conflict_policy(memory_wb: Workbench) -> None:
    wb = memory_wb
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


def test_definition_is_state_and_model_at_once(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.save(HELLO)
    info, workflow = wb.workflows.definition("Hello")
    assert info.name == workflow.name == "Hello" and info.version == 1


def test_the_overview_table_and_its_rows(memory_wb: Workbench) -> None:
    wb = memory_wb
    assert wb.workflows().empty
    wb.save(HELLO)
    wb.save({**HELLO, "name": "Other"})
    frame = wb.workflows()
    assert sorted(frame["name"]) == ["Hello", "Other"]
    rows = wb.workflows(format="rows")
    assert len(rows.rows) == 2 and "name" in rows.columns


def test_enable_disable_and_delete_keep_history(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.save(HELLO)
    assert wb.workflows.disable("hello").enabled is False
    assert wb.workflows.info("Hello").enabled is False
    assert wb.workflows.enable("Hello").enabled is True
    run = wb.run("Hello", {"name": "Ada"})
    wb.workflows.delete("Hello")
    assert wb.workflows.find("Hello") is None
    assert wb.runs.get(run.run_id)["workflow"] == "Hello"  # its history stays


def test_files_are_imported_all_or_none_and_exported_canonically(
    memory_wb: Workbench, tmp_path: Path
) -> None:
    wb = memory_wb
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(HELLO))
    bad.write_text(json.dumps({**HELLO, "name": "Bad", "run_as": "nobody"}))
    with pytest.raises(DefinitionError, match="nobody"):
        wb.workflows.import_files(good, bad)
    assert wb.workflows.find("Hello") is None  # nothing saved: one file was refused
    (info,) = wb.workflows.import_files(good)
    assert (info.name, info.version) == ("Hello", 1)
    out = tmp_path / "out.json"
    text = wb.workflows.export("Hello", out)
    assert out.read_text(encoding="utf-8") == text
    assert json.loads(text)["steps"] == HELLO["steps"]
    assert wb.workflows.import_files(out)[0].version == 2  # the same workflow, again


def test_create_is_an_unsaved_draft(memory_wb: Workbench) -> None:
    draft = memory_wb.workflows.create("Fresh", "does things", run_as="manager")
    assert (draft.name, draft.description, draft.run_as, draft.steps) == (
        "Fresh",
        "does things",
        "manager",
        [],
    )
    assert memory_wb.workflows.find("Fresh") is None
