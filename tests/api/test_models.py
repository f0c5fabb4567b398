"""wfbench.api.models: the API's shapes, built from the run record's own fields."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from wfbench.api.models import (
    PREFIX,
    RunOut,
    RunSummary,
    StepOut,
    run_out,
    run_summaries,
    workflow_out,
)
from wfbench.workbench import RUN_KEYS, STEP_KEYS, Workbench

HELLO: dict[str, Any] = {
    "name": "Hello",
    "description": "says hi",
    "run_as": "read_only",
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "hi"}}],
}


def test_the_run_shapes_are_the_records_keys() -> None:
    assert PREFIX == "/api/v2/workflows"
    assert tuple(RunSummary.model_fields) == RUN_KEYS
    assert tuple(StepOut.model_fields) == STEP_KEYS
    assert tuple(RunOut.model_fields) == (*RUN_KEYS, "steps")
    required = {n for n, f in RunSummary.model_fields.items() if f.is_required()}
    assert required == set(RUN_KEYS)  # every key is there, null or not
    with pytest.raises(ValidationError):  # a run always has its status
        RunSummary.model_validate({**dict.fromkeys(RUN_KEYS), "dry_run": False})


def test_a_run_and_a_workflow_as_the_api_answers_them() -> None:
    wb = Workbench(":memory:")
    info = wb.save(HELLO)
    record = wb.run("Hello")
    out = run_out(wb.runs.get(record.run_id))
    assert (out["run_id"], out["status"], out["workflow"]) == (record.run_id, "succeeded", "Hello")
    assert [s["node"] for s in out["steps"]] == ["log"] and "workflow_id" not in out
    assert out["started_at"].endswith("Z") or "+00:00" in out["started_at"]  # JSON text
    frame = wb.runs()  # as GET …/runs reads it: the frame through its JSON
    (summary,) = run_summaries(json.loads(frame.to_json(orient="records", date_format="iso")))
    assert set(summary) == set(RUN_KEYS)
    assert (summary["run_id"], summary["status"]) == (record.run_id, "succeeded")
    shown = workflow_out(info, wb.get("Hello"))
    assert (shown["name"], shown["description"], shown["version"], shown["type"]) == (
        "Hello",
        "says hi",
        1,
        "manual",
    )
    assert shown["definition"]["steps"] == HELLO["steps"]
