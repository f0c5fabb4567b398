"""wfbench.store.definitions and schema: saved workflows and their versions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from wfbench.errors import NotFound, WfbenchError
from wfbench.model import dump_workflow
from wfbench.store import Store, WorkflowInfo
from wfbench.store.schema import SCHEMA_VERSION
from wfbench.validation import load_workflow

from .support import SAMPLES, T0, run_record, workflow

# ---------------------------------------------------------------- schema and definitions


def test_initialize_creates_the_tables_once(db: Path) -> None:
    s = Store(db)
    s.initialize()
    s.initialize()
    tables = set(s.sql("SELECT table_name FROM information_schema.tables")["table_name"])
    assert {"meta", "workflows", "workflow_versions", "runs", "steps", "connectors"} <= tables
    assert s.sql("SELECT value FROM meta WHERE key = 'schema_version'")["value"].tolist() == [
        str(SCHEMA_VERSION)
    ]
    columns = s.sql(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'runs'"
    )
    types = dict(zip(columns["column_name"], columns["data_type"], strict=True))
    assert types["input"] == "JSON"
    assert types["started_at"] == "TIMESTAMP"  # UTC, no zone: see wfbench.store.schema
    assert types["duration_ms"] == "DOUBLE"
    assert types["dry_run"] == "BOOLEAN"
    s.close()


def test_a_newer_schema_is_refused(db: Path) -> None:
    Store(db).initialize()
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(WfbenchError, match=r"schema version 99.*upgrade wfbench"):
        Store(db).list_workflows()


def test_a_save_is_version_1_enabled_with_a_new_id(store: Store) -> None:
    info = store.save_definition(workflow("Greet", description="Say hi"))
    assert info == WorkflowInfo(
        id="wf_0000000001",
        name="Greet",
        description="Say hi",
        enabled=True,
        version=1,
        run_as="read_only",
        created_at=T0,
        updated_at=T0,
    )
    assert store.find_workflow("wf_0000000001") == info
    assert store.find_workflow("  gREET ") == info
    assert store.find_workflow("nope") is None


def test_every_save_is_a_new_version_and_old_text_stays(store: Store) -> None:
    first = load_workflow(SAMPLES / "onboard_new_hire.json")
    info = store.save_definition(first, saved_by="cli")
    second = first.model_copy(update={"description": "Changed."})
    info2 = store.save_definition(second, workflow_id=info.id)
    info3 = store.save_definition(second, workflow_id=info.id)
    assert (info.version, info2.version, info3.version) == (1, 2, 3)
    assert info3.created_at == info.created_at < info3.updated_at

    latest_info, latest = store.get_definition("onboard new hire")
    assert latest_info == info3
    assert latest.description == "Changed."
    _, old = store.get_definition(info.id, version=1)
    assert dump_workflow(old) == dump_workflow(first)

    texts = store.sql(
        "SELECT version, definition, saved_by FROM workflow_versions "
        "WHERE workflow_id = ? ORDER BY version",
        [info.id],
    )
    assert texts["version"].tolist() == [1, 2, 3]
    assert texts["definition"][0] == dump_workflow(first)  # the canonical text, byte for byte
    assert texts["definition"][0] == (SAMPLES / "onboard_new_hire.json").read_text()
    assert texts["saved_by"].tolist() == ["cli", "notebook", "notebook"]

    with pytest.raises(NotFound, match="no version 7; its versions are 1 to 3"):
        store.get_definition(info.id, version=7)


def test_names_are_unique_ignoring_case(store: Store) -> None:
    store.save_definition(workflow("Offboard contractor"))
    with pytest.raises(WfbenchError, match="'Offboard contractor' already exists") as err:
        store.save_definition(workflow("OFFBOARD CONTRACTOR"))
    assert "choose another name" in str(err.value)
    assert len(store.list_workflows()) == 1


def test_a_save_may_rename_but_not_onto_another_name(store: Store) -> None:
    a = store.save_definition(workflow("Alpha"))
    store.save_definition(workflow("Beta"))
    renamed = store.save_definition(workflow("Gamma"), workflow_id=a.id)
    assert (renamed.id, renamed.name, renamed.version) == (a.id, "Gamma", 2)
    assert store.find_workflow("Alpha") is None
    assert store.get_workflow("gamma").id == a.id
    same = store.save_definition(workflow("GAMMA"), workflow_id=a.id)  # its own name: fine
    assert same.name == "GAMMA"
    with pytest.raises(WfbenchError, match="'Beta' already exists"):
        store.save_definition(workflow("beta"), workflow_id=a.id)
    assert store.get_workflow(a.id).version == 3  # the refused save wrote nothing
    with pytest.raises(NotFound, match="no workflow with id 'wf_nope'"):
        store.save_definition(workflow("Delta"), workflow_id="wf_nope")


def test_enable_and_disable(store: Store) -> None:
    info = store.save_definition(workflow())
    off = store.set_enabled("greet", False)
    assert (off.enabled, off.version) == (False, 1)
    assert off.updated_at > info.updated_at
    assert store.get_workflow(info.id).enabled is False
    assert store.set_enabled(info.id, True).enabled is True


def test_get_workflow_names_the_known_ones(store: Store) -> None:
    with pytest.raises(NotFound, match="has none yet"):
        store.get_workflow("Greet")
    store.save_definition(workflow("Greet"))
    store.save_definition(workflow("Onboard"))
    with pytest.raises(NotFound, match=r"did you mean 'Greet'.*known workflows: Greet, Onboard"):
        store.get_workflow("Gret")


def test_delete_frees_the_name_and_keeps_history(store: Store) -> None:
    info = store.save_definition(workflow("Greet"))
    store.save_definition(workflow("Greet"), workflow_id=info.id)
    store.begin_run(run_record("run_1", info))
    store.finish_run("run_1", status="succeeded", output=1, error=None, ended_at=T0, duration_ms=1)
    store.delete_workflow("Greet")

    assert store.find_workflow(info.id) is None
    with pytest.raises(NotFound):
        store.get_definition("Greet")
    assert store.list_workflows().empty
    versions = store.sql(
        "SELECT count(*) AS n FROM workflow_versions WHERE workflow_id = ?", [info.id]
    )
    assert versions["n"][0] == 2
    assert store.get_run("run_1")["status"] == "succeeded"
    assert store.runs(workflow=info.id)["run_id"].tolist() == ["run_1"]
    assert store.runs(workflow="greet")["run_id"].tolist() == ["run_1"]

    again = store.save_definition(workflow("Greet"))  # the name is free again
    assert again.id != info.id
    assert again.version == 1
    assert store.runs(workflow="Greet").empty  # the name now means the new workflow


def test_list_workflows_is_the_overview(store: Store) -> None:
    b = store.save_definition(workflow("beta", run_as="manager"))
    a = store.save_definition(workflow("Alpha"))
    store.set_enabled("beta", False)
    store.begin_run(run_record("r1", b, started_at=T0))
    store.finish_run("r1", status="failed", output=None, error="x", ended_at=T0, duration_ms=1)
    store.begin_run(run_record("r2", b, started_at=T0 + timedelta(hours=1)))
    store.finish_run("r2", status="succeeded", output=None, error=None, ended_at=T0, duration_ms=1)

    frame = store.list_workflows()
    assert list(frame.columns) == [
        "id",
        "name",
        "type",
        "enabled",
        "run_as",
        "version",
        "last_run_status",
        "last_run_at",
        "run_count",
        "updated_at",
        "rejected_count",
    ]
    rows = frame.to_dict("records")
    assert [r["name"] for r in rows] == ["Alpha", "beta"]  # by name, ignoring case
    assert rows[0]["id"] == a.id
    assert rows[0]["run_count"] == 0
    assert pd.isna(rows[0]["last_run_status"])
    assert pd.isna(rows[0]["last_run_at"])
    assert (rows[1]["type"], rows[1]["enabled"], rows[1]["run_as"]) == ("manual", False, "manager")
    assert (rows[1]["last_run_status"], rows[1]["run_count"]) == ("succeeded", 2)
    assert rows[1]["last_run_at"] == T0 + timedelta(hours=1)
