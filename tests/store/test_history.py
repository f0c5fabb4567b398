"""wfbench.store.history: runs and steps, as records and frames."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from wfbench.errors import NotFound, WfbenchError
from wfbench.store import RUN_FIELDS, STEP_FIELDS, Store

from .support import T0, run_record, step, workflow

# ---------------------------------------------------------------- runs and steps


def test_a_run_round_trips_every_field(store: Store) -> None:
    info = store.save_definition(workflow())
    began = run_record(
        "run_a",
        info,
        input={"email": "ada@example.com", "groups": ["eng", "ops"], "n": 1.5, "x": None},
        dry_run=True,
        idempotency_key="key-1",
        rerun_of="run_0",
        started_by="api:ci-key",
        batch_id="batch_1",
        directory="corp",
    )
    store.begin_run(began)
    running = store.get_run("run_a")
    assert running["status"] == "running"
    assert running["steps"] == []

    steps = [
        step("run_a", 1),
        step(
            "run_a",
            2,
            node="leave",
            path="is_contractor.then.each_group[3].leave",
            iteration=3,
            status="failed",
            attempts=2,
            params={"group_id": "g1", "when": T0, "token": "***"},
            output=None,
            error="no group g1",
            change=["removed ada from g1", "told manager"],
        ),
        step("run_a", 3, status="skipped", params=None, output=None, started_at=None),
    ]
    store.write_steps(list(reversed(steps)))  # order comes from seq, not from the batch
    ended = T0 + timedelta(seconds=2)
    store.finish_run(
        "run_a",
        status="failed",
        output={"result": [1, "two", {"three": 3}]},
        error="step leave failed: no group g1",
        ended_at=ended,
        duration_ms=2000.5,
    )

    run = store.get_run("run_a")
    got_steps = run.pop("steps")
    assert run == {
        "run_id": "run_a",
        "workflow_id": info.id,
        "workflow": "Greet",
        "version": 1,
        "status": "failed",
        "input": {"email": "ada@example.com", "groups": ["eng", "ops"], "n": 1.5, "x": None},
        "output": {"result": [1, "two", {"three": 3}]},
        "error": "step leave failed: no group g1",
        "reasons": None,
        "run_as": "read_only",
        "started_by": "api:ci-key",
        "dry_run": True,
        "idempotency_key": "key-1",
        "rerun_of": "run_0",
        "started_at": T0,
        "ended_at": ended,
        "duration_ms": 2000.5,
        "batch_id": "batch_1",
        "directory": "corp",
    }
    assert list(run) == list(RUN_FIELDS)
    assert [s["seq"] for s in got_steps] == [1, 2, 3]
    assert all(list(s) == list(STEP_FIELDS) for s in got_steps)
    assert got_steps[0] == {**step("run_a", 1), "iteration": None, "error": None, "change": None}
    assert got_steps[1] == {
        **steps[1],
        "params": {"group_id": "g1", "when": str(T0), "token": "***"},  # default=str
        "change": "removed ada from g1\ntold manager",
    }
    assert got_steps[2]["params"] is None
    assert got_steps[2]["output"] is None
    assert got_steps[2]["started_at"] is None
    assert got_steps[2]["status"] == "skipped"


def test_begin_run_defaults_and_refusals(store: Store) -> None:
    store.begin_run({"run_id": "r"})
    run = store.get_run("r")
    assert (run["status"], run["dry_run"], run["started_at"]) == ("running", False, T0)
    with pytest.raises(ValueError, match="unknown field"):
        store.begin_run({"run_id": "r2", "colour": "red"})
    with pytest.raises(ValueError, match="status queued or running"):
        store.begin_run({"run_id": "r3", "status": "succeeded"})
    with pytest.raises(ValueError, match="needs a run_id"):
        store.begin_run({"status": "queued"})
    with pytest.raises(ValueError, match="finish_run takes status"):
        store.finish_run("r", status="running", output=None, error=None, ended_at=T0, duration_ms=0)
    with pytest.raises(NotFound, match="no run 'zzz' to finish"):
        store.finish_run(
            "zzz", status="failed", output=None, error=None, ended_at=T0, duration_ms=0
        )
    with pytest.raises(ValueError, match="step status must be one of"):
        store.write_steps([step("r", 1, status="done")])
    with pytest.raises(ValueError, match="unknown field"):
        store.write_steps([{**step("r", 1), "colour": "red"}])
    store.write_steps([])
    assert store.steps("r").empty


def test_a_rejected_start_is_kept_with_its_reasons(store: Store) -> None:
    info = store.save_definition(workflow())
    run_id = store.record_rejected(
        {
            "workflow_id": info.id,
            "workflow": info.name,
            "version": 1,
            "input": {"email": 3},
            "reasons": [
                {"pointer": "/email", "message": "3 is not of type 'string'"},
                ("/name", "'name' is a required property"),
            ],
            "error": "the input does not satisfy the trigger schema",
            "started_by": "cli",
        }
    )
    assert run_id == "run_0000000002"  # made by ids("run")
    run = store.get_run(run_id)
    assert run["status"] == "rejected"
    assert run["reasons"] == [
        {"pointer": "/email", "message": "3 is not of type 'string'"},
        {"pointer": "/name", "message": "'name' is a required property"},
    ]
    assert run["error"] == "the input does not satisfy the trigger schema"
    assert run["input"] == {"email": 3}
    assert run["started_at"] == run["ended_at"]
    assert run["duration_ms"] == 0.0
    assert run["steps"] == []
    assert store.runs(status="rejected")["run_id"].tolist() == [run_id]


def test_idempotency_lookup(store: Store) -> None:
    a = store.save_definition(workflow("A"))
    b = store.save_definition(workflow("B"))
    store.record_rejected(run_record("rej", a, idempotency_key="k", started_at=T0 + timedelta(3)))
    store.begin_run(run_record("old", a, idempotency_key="k", started_at=T0))
    store.begin_run(run_record("new", a, idempotency_key="k", started_at=T0 + timedelta(1)))
    store.begin_run(run_record("other", b, idempotency_key="k", started_at=T0 + timedelta(2)))
    found = store.find_run_by_idempotency_key(a.id, "k")
    assert found is not None
    assert found["run_id"] == "new"
    assert list(found) == list(RUN_FIELDS)
    assert store.find_run_by_idempotency_key(a.id, "other-key") is None
    assert store.find_run_by_idempotency_key("wf_none", "k") is None


def test_runs_filter_order_limit_offset(store: Store) -> None:
    a = store.save_definition(workflow("A"))
    b = store.save_definition(workflow("B"))
    for i, (info, status) in enumerate(
        [(a, "succeeded"), (b, "failed"), (a, "failed"), (a, "succeeded"), (b, "succeeded")]
    ):
        store.begin_run(run_record(f"r{i}", info, started_at=T0 + timedelta(minutes=i)))
        store.finish_run(
            f"r{i}", status=status, output={"i": i}, error=None, ended_at=T0, duration_ms=i
        )

    frame = store.runs()
    assert list(frame.columns) == list(RUN_FIELDS)
    assert frame["run_id"].tolist() == ["r4", "r3", "r2", "r1", "r0"]  # newest first
    assert frame["output"].tolist() == [{"i": 4}, {"i": 3}, {"i": 2}, {"i": 1}, {"i": 0}]
    assert frame["input"][0] == {"email": "ada@example.com"}
    assert str(frame["started_at"].dtype) == "datetime64[us, UTC]"
    assert store.runs(workflow="a")["run_id"].tolist() == ["r3", "r2", "r0"]
    assert store.runs(workflow=b.id, status="succeeded")["run_id"].tolist() == ["r4"]
    assert store.runs(status="failed")["run_id"].tolist() == ["r2", "r1"]
    assert store.runs(limit=2)["run_id"].tolist() == ["r4", "r3"]
    assert store.runs(limit=2, offset=2)["run_id"].tolist() == ["r2", "r1"]
    assert store.runs(workflow="A", limit=1, offset=1)["run_id"].tolist() == ["r2"]
    with pytest.raises(WfbenchError, match="no run status 'ok'; use one of queued"):
        store.runs(status="ok")
    with pytest.raises(NotFound, match="no workflow 'Zeta'"):
        store.runs(workflow="Zeta")


def test_steps_frame(store: Store) -> None:
    store.begin_run({"run_id": "r"})
    store.write_steps([step("r", 2, iteration=0), step("r", 1)])
    store.write_steps([step("r", 3, output=[1, 2])])
    frame = store.steps("r")
    assert list(frame.columns) == list(STEP_FIELDS)
    assert frame["seq"].tolist() == [1, 2, 3]
    assert frame["params"].tolist() == [{"m": 1}, {"m": 2}, {"m": 3}]
    assert frame["output"].tolist() == [{"ok": True}, {"ok": True}, [1, 2]]
    assert frame["duration_ms"].tolist() == [5.0, 5.0, 5.0]
    with pytest.raises(NotFound, match="no run 'nope'"):
        store.steps("nope")
    with pytest.raises(NotFound, match="no run 'nope'"):
        store.get_run("nope")


def test_sql_and_the_daily_analytics_query(store: Store) -> None:
    a = store.save_definition(workflow("A"))
    for i in range(10):
        run_id = f"r{i}"
        store.begin_run(run_record(run_id, a, started_at=T0 + timedelta(hours=i * 3)))
        store.finish_run(
            run_id,
            status="failed" if i % 4 == 0 else "succeeded",
            output=None,
            error=None,
            ended_at=T0,
            duration_ms=float(100 * (i + 1)),
        )
    frame = store.sql(
        """
        SELECT workflow, date_trunc('day', started_at) AS day, count(*) AS runs,
               avg(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS success_rate,
               quantile_cont(duration_ms, 0.95) AS p95_ms
        FROM runs GROUP BY ALL ORDER BY day
        """
    )
    assert frame["runs"].tolist() == [5, 5]  # 09:00 + 3h steps: r0..r4 on day 1, r5..r9 on day 2
    assert frame["success_rate"].tolist() == [pytest.approx(0.6), pytest.approx(0.8)]
    assert frame["p95_ms"].tolist() == [pytest.approx(480.0), pytest.approx(980.0)]
    assert store.sql("SELECT ? + 1 AS x", [41])["x"].tolist() == [42]
    assert store.sql("CREATE TEMP TABLE scratch (a INTEGER)").empty
    with pytest.raises(WfbenchError, match="the query failed"):
        store.sql("SELECT * FROM no_such_table")


def test_json_values_survive_sql(store: Store) -> None:
    store.begin_run({"run_id": "r", "input": {"a": [1, {"b": None}]}})
    frame = store.sql("SELECT input->>'$.a[0]' AS first, json_type(input) AS t FROM runs")
    assert frame.to_dict("records") == [{"first": "1", "t": "OBJECT"}]
    raw = store.sql("SELECT input FROM runs")["input"][0]
    assert json.loads(raw) == {"a": [1, {"b": None}]}
