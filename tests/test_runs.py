"""A run and a step, defined once (wfbench.runs): records, statuses, derived columns."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import get_args

import duckdb
import pytest

from wfbench import engine, store
from wfbench.runs import (
    ENDED_STATUSES,
    EXPECTED_RUN_STATUSES,
    EXPECTED_STEP_STATUSES,
    RUN_FIELDS,
    RUN_STATUSES,
    STEP_FIELDS,
    STEP_SCHEMA,
    STEP_STATUSES,
    UNFINISHED_STATUSES,
    Draft,
    RunRecord,
    RunStatus,
    StepRecord,
    StepStatus,
    column_types,
    ddl,
)
from wfbench.testing import cases

NOW = datetime(2026, 2, 1, 12, 30, tzinfo=UTC)


def step(**changes: object) -> StepRecord:
    values: dict[str, object] = dict(
        run_id="r1", seq=1, node="n", path="n", kind="action", action="core.log",
        iteration=None, status="succeeded", started_at=NOW,
    )  # fmt: skip
    values.update(changes)
    return StepRecord(**values)  # type: ignore[arg-type]


def test_statuses_are_the_literals() -> None:
    assert RUN_STATUSES == get_args(RunStatus) == (
        "queued", "running", "succeeded", "failed", "cancelled", "rejected", "interrupted",
    )  # fmt: skip
    assert STEP_STATUSES == get_args(StepStatus) == (
        "running", "succeeded", "failed", "skipped", "simulated",
    )  # fmt: skip


def test_the_status_groups_come_from_the_one_list() -> None:
    assert UNFINISHED_STATUSES == ("queued", "running")
    assert ENDED_STATUSES == ("succeeded", "failed", "cancelled", "interrupted")
    # every run status is unfinished, ended, or a refused start
    assert sorted((*UNFINISHED_STATUSES, *ENDED_STATUSES, "rejected")) == sorted(RUN_STATUSES)
    # what a workflow test case may expect, typed in wfbench.testing.cases
    assert get_args(cases.RunStatus) == EXPECTED_RUN_STATUSES
    assert get_args(cases.StepStatus) == EXPECTED_STEP_STATUSES
    assert set(EXPECTED_RUN_STATUSES) <= set(RUN_STATUSES)
    assert set(EXPECTED_STEP_STATUSES) <= set(STEP_STATUSES)


def test_fields_are_the_store_columns_in_order() -> None:
    assert STEP_FIELDS == (
        "run_id", "seq", "node", "path", "kind", "action", "iteration", "status", "attempts",
        "params", "output", "error", "change", "started_at", "ended_at", "duration_ms",
    )  # fmt: skip
    assert RUN_FIELDS == (
        "run_id", "workflow_id", "workflow", "version", "status", "input", "output", "error",
        "reasons", "run_as", "started_by", "dry_run", "idempotency_key", "rerun_of",
        "started_at", "ended_at", "duration_ms", "batch_id", "directory",
    )  # fmt: skip
    assert store.STEP_FIELDS is STEP_FIELDS and store.RUN_FIELDS is RUN_FIELDS
    assert list(STEP_SCHEMA.names) == list(STEP_FIELDS)


def test_every_field_is_documented() -> None:
    for cls in (RunRecord, StepRecord):
        source = __import__("inspect").getsource(cls)
        for f in dataclasses.fields(cls):
            line = next(i for i, text in enumerate(source.splitlines()) if f"    {f.name}:" in text)
            assert source.splitlines()[line + 1].strip().startswith('"""'), (cls, f.name)


def test_column_types_follow_the_python_types() -> None:
    types = column_types(StepRecord)
    assert types["seq"] == "INTEGER" and types["params"] == "JSON"
    assert types["status"] == "VARCHAR" and types["started_at"] == "TIMESTAMP"
    assert column_types(RunRecord)["dry_run"] == "BOOLEAN"
    assert column_types(RunRecord)["duration_ms"] == "DOUBLE"


def test_the_ddl_makes_the_tables_the_store_reads() -> None:
    con = duckdb.connect()
    con.execute(ddl(StepRecord, "steps"))
    con.execute(ddl(RunRecord, "runs"))
    cols = con.execute(
        "SELECT column_name, is_nullable FROM duckdb_columns() WHERE table_name = 'runs'"
    ).fetchall()
    assert [c for c, _ in cols] == list(RUN_FIELDS)
    assert {c for c, nullable in cols if not nullable} == {"run_id", "status", "dry_run"}


def test_records_are_frozen() -> None:
    record = step()
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.status = "failed"  # type: ignore[misc]
    assert list(record.to_dict()) == list(STEP_FIELDS)


def test_a_draft_fills_in_and_freezes() -> None:
    draft = Draft(RunRecord, run_id="r1", workflow_id=None, workflow="w", version=1,
                  status="queued", input={}, run_as="read_only", started_by="notebook",
                  dry_run=False, started_at=NOW)  # fmt: skip
    draft.status = "running"
    draft.steps.append(step())
    frozen = draft.freeze()
    assert frozen.status == "running" and frozen.steps == (step(),)
    assert list(draft.to_dict(steps=False)) == list(RUN_FIELDS)
    with pytest.raises(AttributeError):
        draft.no_such_field = 1
    with pytest.raises(TypeError):
        Draft(StepRecord, nope=1)


def test_the_engine_still_exports_the_records() -> None:
    assert engine.RunRecord is RunRecord and engine.StepRecord is StepRecord
