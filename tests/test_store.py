"""The DuckDB store, against real files (and ``:memory:`` where the behaviour is the same)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from wfbench.actions.context import Connector
from wfbench.errors import NotFound, StoreBusy, WfbenchError
from wfbench.model import Workflow, dump_workflow, load_workflow
from wfbench.store import RUN_FIELDS, STEP_FIELDS, Store, WorkflowInfo

SAMPLES = Path(__file__).parent.parent / "wfbench" / "samples"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def make_clock() -> Callable[[], datetime]:
    ticks = itertools.count()
    return lambda: T0 + timedelta(seconds=next(ticks))


def make_ids() -> Callable[[str], str]:
    counter = itertools.count(1)
    return lambda prefix: f"{prefix}_{next(counter):010x}"


def workflow(name: str = "Greet", *, description: str = "", run_as: str = "read_only") -> Workflow:
    return Workflow.model_validate(
        {
            "name": name,
            "description": description,
            "run_as": run_as,
            "steps": [{"id": "hello", "kind": "action", "action": "core.log", "with": {"m": "hi"}}],
        }
    )


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The contract fixture: the same behaviour in memory and in a file."""
    path = ":memory:" if request.param == "memory" else tmp_path / "wfbench.duckdb"
    s = Store(path, lock_timeout=5, clock=make_clock(), ids=make_ids())
    yield s
    s.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wfbench.duckdb"


def run_record(run_id: str, info: WorkflowInfo, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "run_id": run_id,
        "workflow_id": info.id,
        "workflow": info.name,
        "version": info.version,
        "status": "running",
        "input": {"email": "ada@example.com"},
        "run_as": info.run_as,
        "started_by": "notebook",
        "started_at": T0,
    }
    record.update(extra)
    return record


def step(run_id: str, seq: int, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "run_id": run_id,
        "seq": seq,
        "node": f"n{seq}",
        "path": f"n{seq}",
        "kind": "action",
        "action": "core.log",
        "status": "succeeded",
        "attempts": 1,
        "params": {"m": seq},
        "output": {"ok": True},
        "started_at": T0,
        "ended_at": T0 + timedelta(milliseconds=5),
        "duration_ms": 5.0,
    }
    record.update(extra)
    return record


# ---------------------------------------------------------------- schema and definitions


def test_initialize_creates_the_tables_once(db: Path) -> None:
    s = Store(db)
    s.initialize()
    s.initialize()
    tables = set(s.sql("SELECT table_name FROM information_schema.tables")["table_name"])
    assert {"meta", "workflows", "workflow_versions", "runs", "steps", "connectors"} <= tables
    assert s.sql("SELECT value FROM meta WHERE key = 'schema_version'")["value"].tolist() == ["1"]
    columns = s.sql(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'runs'"
    )
    types = dict(zip(columns["column_name"], columns["data_type"], strict=True))
    assert types["input"] == "JSON"
    assert types["started_at"] == "TIMESTAMP WITH TIME ZONE"
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


def test_connectors_hold_env_names_only(store: Store) -> None:
    hr = Connector("hr", "https://hr.example.com", auth="bearer", token_env="HR_TOKEN")
    store.save_connector(hr)
    store.save_connector(Connector("plain", "https://x.example.com"))
    replaced = Connector("hr", "https://hr2.example.com", auth="basic", username_env="U")
    store.save_connector(replaced)
    assert store.connectors() == {
        "hr": replaced,
        "plain": Connector("plain", "https://x.example.com"),
    }


# ---------------------------------------------------------------- sessions and transactions


def test_write_steps_joins_the_callers_transaction(store: Store) -> None:
    store.begin_run({"run_id": "r"})
    with store.session() as cur:
        cur.begin()
        store.write_steps([step("r", 1), step("r", 2)])
        assert len(cur.execute("SELECT * FROM steps").fetchall()) == 2  # visible inside
        cur.rollback()
        assert store.steps("r").empty

        cur.begin()
        store.write_steps([step("r", 1)])
        cur.commit()
    assert store.steps("r")["seq"].tolist() == [1]


def test_a_save_joins_the_callers_transaction(store: Store) -> None:
    with store.session() as cur:
        cur.begin()
        store.save_definition(workflow("A"))
        assert store.find_workflow("A") is not None
        cur.rollback()
        assert store.find_workflow("A") is None
        cur.begin()
        info = store.save_definition(workflow("A"))
        cur.commit()
    assert store.get_workflow("A") == info
    assert store.get_definition("A")[1].name == "A"


def test_a_failed_save_rolls_back_inside_a_callers_session(store: Store) -> None:
    store.save_definition(workflow("A"))
    with store.session():
        with pytest.raises(WfbenchError):
            store.save_definition(workflow("a"))
        assert store.sql("SELECT count(*) AS n FROM workflow_versions")["n"][0] == 1


def test_sessions_nest_and_threads_get_their_own_cursor(store: Store) -> None:
    with pytest.raises(RuntimeError, match="only valid inside"):
        store.cursor()
    with store.session() as outer:
        with store.session() as inner:
            assert inner is outer
            assert store.cursor() is outer
        seen: list[duckdb.DuckDBPyConnection] = []

        def work() -> None:
            with store.session() as cur:
                seen.append(cur)
                store.begin_run({"run_id": f"t{threading.get_ident()}"})

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({id(c) for c in seen}) == 4
        assert all(c is not outer for c in seen)
    assert len(store.runs()) == 4


def test_a_file_is_free_between_calls_and_held_in_a_session(db: Path) -> None:
    store = Store(db, lock_timeout=0)
    store.save_definition(workflow())
    probe = f"import duckdb; duckdb.connect({str(db)!r}).close()"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0
    with store.session():
        held = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
        assert held.returncode != 0
        assert "Could not set lock" in held.stderr
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0


def test_unopenable_files_say_what_to_do(tmp_path: Path) -> None:
    junk = tmp_path / "notes.duckdb"
    junk.write_text("not a database " * 200)
    with pytest.raises(WfbenchError, match="not a wfbench store") as err:
        Store(junk).list_workflows()
    assert str(junk) in str(err.value)
    with pytest.raises(WfbenchError, match="folder does not exist"):
        Store(tmp_path / "missing" / "wfbench.duckdb").list_workflows()


def test_lock_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WFBENCH_LOCK_TIMEOUT", "2.5")
    assert Store().lock_timeout == 2.5
    assert Store(lock_timeout=1).lock_timeout == 1
    monkeypatch.setenv("WFBENCH_LOCK_TIMEOUT", "soon")
    with pytest.raises(WfbenchError, match="must be a number of seconds"):
        Store()


# ---------------------------------------------------------------- interrupted runs


def test_a_run_left_unfinished_is_interrupted_on_reopen(db: Path) -> None:
    first = Store(db)
    info = first.save_definition(workflow())
    first.begin_run(run_record("left", info))
    first.begin_run(run_record("queued", info, status="queued"))
    first.begin_run(run_record("done", info))
    first.finish_run(
        "done", status="succeeded", output=None, error=None, ended_at=T0, duration_ms=1
    )
    first.close()  # the first store is gone without finishing "left" and "queued"

    second = Store(db)
    for run_id in ("left", "queued"):
        run = second.get_run(run_id)
        assert run["status"] == "interrupted"
        assert run["error"] == (
            "found unfinished when the store was reopened; the process running it ended"
        )
    assert second.get_run("done")["status"] == "succeeded"


def test_a_crashed_process_leaves_an_interrupted_run(db: Path) -> None:
    script = f"""
import os
from wfbench.store import Store
s = Store({str(db)!r})
s.begin_run({{"run_id": "crashed", "workflow": "Greet"}})
os._exit(9)
"""
    subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    assert Store(db).get_run("crashed")["status"] == "interrupted"


def test_runs_active_in_this_process_are_not_interrupted(db: Path) -> None:
    runner = Store(db)
    runner.begin_run({"run_id": "live"})  # the file is closed again after this call
    viewer = Store(db)  # a second store on the same file, in the same process
    assert viewer.get_run("live")["status"] == "running"
    with runner.session():  # reopening the runner's own store leaves it alone too
        assert runner.get_run("live")["status"] == "running"
    runner.finish_run("live", status="succeeded", output=1, error=None, ended_at=T0, duration_ms=1)
    assert Store(db).get_run("live")["status"] == "succeeded"


# ---------------------------------------------------------------- two processes


@pytest.fixture
def holder(db: Path) -> Iterator[Callable[[float], subprocess.Popen[str]]]:
    """Start a process that holds a session on ``db`` for some seconds; always cleaned up."""
    procs: list[subprocess.Popen[str]] = []

    def start(seconds: float) -> subprocess.Popen[str]:
        script = f"""
import time
from wfbench.store import Store
s = Store({str(db)!r})
with s.session():
    print("held", flush=True)
    time.sleep({seconds})
"""
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "held"
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.slow
def test_a_held_file_is_waited_for(db: Path, holder: Callable[[float], Any]) -> None:
    Store(db).initialize()
    holder(2.0)
    start = time.monotonic()
    info = Store(db, lock_timeout=5).save_definition(workflow())
    waited = time.monotonic() - start
    assert info.version == 1
    assert 1.0 < waited < 5


@pytest.mark.slow
def test_a_file_held_too_long_is_store_busy(db: Path, holder: Callable[[float], Any]) -> None:
    Store(db).initialize()
    proc = holder(3.0)
    start = time.monotonic()
    with pytest.raises(StoreBusy) as err:
        Store(db, lock_timeout=0.3).list_workflows()
    assert 0.3 <= time.monotonic() - start < 2
    message = str(err.value)
    assert f"the store {db} is in use by process {proc.pid} (" in message
    assert "wfbench.store" in message  # its command line, read from /proc
    assert "lock_timeout / $WFBENCH_LOCK_TIMEOUT" in message


def test_json_values_survive_sql(store: Store) -> None:
    store.begin_run({"run_id": "r", "input": {"a": [1, {"b": None}]}})
    frame = store.sql("SELECT input->>'$.a[0]' AS first, json_type(input) AS t FROM runs")
    assert frame.to_dict("records") == [{"first": "1", "t": "OBJECT"}]
    raw = store.sql("SELECT input FROM runs")["input"][0]
    assert json.loads(raw) == {"a": [1, {"b": None}]}
