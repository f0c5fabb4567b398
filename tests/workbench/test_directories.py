"""wfbench.workbench.directories: ``wb.directory``: the directories a run may act on, a
snapshot of a SCIM directory, the sample back, and a plan before a real run."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from wfbench.actions.context import Connector
from wfbench.directory.targets import ScimTarget
from wfbench.errors import UnknownDirectory
from wfbench.model import Workflow
from wfbench.runs import RunRecord
from wfbench.workbench import Workbench
from wfbench.workbench.directories import plan_of

OFFBOARD = "Offboard contractor"
ADA = "ada.lovelace@example.com"


def test_the_directories_are_the_embedded_one_then_each_scim_connector(wb: Workbench) -> None:
    assert wb.directory.names() == ["embedded"]
    for name in ("zeta", "alpha"):
        wb.add_connector(Connector(name, f"https://{name}.example.com/v2", kind="scim"))
    wb.add_connector(Connector("api", "https://api.example.com"))
    assert wb.directory.names() == ["embedded", "alpha", "zeta"]


def test_a_plan_lists_each_change_whole_and_changes_nothing(wb: Workbench) -> None:
    plan = wb.directory.plan(OFFBOARD, {"email": ADA})
    assert plan.ok and (plan.directory, plan.url, plan.hosts) == ("embedded", None, [])
    assert plan.changes[0] == f"would suspend {ADA} (active → suspended)"
    locks = [c for c in plan.changes if c.startswith("would lock device")]
    assert len(locks) == 2 and all(c.endswith("; active → locked)") for c in locks)
    assert all(c.startswith("would ") for c in plan.changes)  # one change per line
    assert plan.text().splitlines()[0] == f"Plan for {OFFBOARD!r} on directory embedded:"
    assert plan.to_dict()["run_id"] == plan.run.run_id and plan.run.dry_run
    assert wb.sql("SELECT status FROM users WHERE email = ?", [ADA]).iloc[0, 0] == "active"


def test_a_plan_names_the_hosts_its_http_steps_may_call() -> None:
    run = RunRecord(
        run_id="r1",
        workflow_id="wf_1",
        workflow="h",
        version=1,
        status="succeeded",
        input={},
        run_as="read_only",
        started_by="notebook",
        dry_run=True,
        started_at=datetime(2026, 1, 2, tzinfo=UTC),
        directory=None,
    )
    steps: list[dict[str, Any]] = [
        {"id": "one", "kind": "action", "action": "http.request", "with": {"connector": "api"}}
    ]
    workflow = Workflow.model_validate({"name": "h", "run_as": "read_only", "steps": steps})
    connectors = {c.name: c for c in (Connector("api", "https://api.example.com:8443"),)}
    assert plan_of(workflow, run, connectors).hosts == ["api.example.com:8443"]
    steps.append(
        {
            "id": "two",
            "kind": "action",
            "action": "http.request",
            "with": {"connector": "{{ input.where }}"},  # any HTTP connector may be called
        }
    )
    workflow = Workflow.model_validate({"name": "h", "run_as": "read_only", "steps": steps})
    connectors["hr"] = Connector("hr", "https://hr.example.com")
    failed = dataclasses.replace(run, status="failed", error="boom")
    plan = plan_of(workflow, failed, connectors)
    assert plan.hosts == ["api.example.com:8443", "hr.example.com"] and not plan.ok
    assert plan.text().splitlines()[-2:] == [
        "HTTP steps may call: api.example.com:8443, hr.example.com",
        "The dry run failed: boom",
    ]


def test_a_snapshot_replaces_the_directory_until_it_is_reset(
    tmp_path: Path, scim_target: ScimTarget, scim_people: dict[str, Any]
) -> None:
    wb = Workbench(tmp_path / "store.duckdb")
    wb.init()  # no sample organisation: nothing to delete first
    assert wb.directory.source().kind == "sample"
    wb.add_connector(
        Connector(
            "corp", scim_target.base_url, "bearer", token_env=scim_target.token_env, kind="scim"
        )
    )
    with pytest.raises(UnknownDirectory, match="is the embedded directory itself"):
        wb.directory.snapshot("embedded")
    made = wb.directory.snapshot("corp")
    assert (made.kind, made.name, made.url) == ("snapshot", "corp", scim_target.base_url)
    assert made.counts["users"] >= 3 and made.taken_at is not None
    assert wb.directory.source() == made  # kept in the store
    alice = f"alice.{scim_people['tag']}@example.com"
    assert wb.sql("SELECT count(*) FROM users WHERE email = ?", [alice]).iloc[0, 0] == 1
    back = wb.directory.reset()
    assert back.kind == "sample" and back.counts["users"] > 0
    assert wb.directory.source().kind == "sample"
    assert wb.sql("SELECT count(*) FROM users WHERE email = ?", [ADA]).iloc[0, 0] == 1
