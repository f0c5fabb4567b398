"""Batches in the kernel: run_many over a DataFrame or a list, outcomes, resume, cancel,
history by batch and time window, export to Parquet, the CLI's --inputs."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from wfbench import Workbench
from wfbench.cli import main
from wfbench.errors import IdempotencyConflict, MissingExtra, UsageError

from . import actions


def test_dataframe_rows_become_recorded_runs_tagged_with_the_batch(wb: Workbench) -> None:
    frame = pd.DataFrame({"n": [1, 2, None, 4]}, index=["a", "b", "c", "d"])
    out = wb.run_many("Where", frame, batch="b1", concurrency=2)
    assert list(out.columns) == [
        "row", "batch_id", "run_id", "status", "output", "error", "duration_ms", "resumed",
    ]  # fmt: skip
    assert list(out["row"]) == ["a", "b", "c", "d"]
    assert list(out["status"]) == ["succeeded", "succeeded", "rejected", "succeeded"]
    assert [o["where"]["square"] for o in out["output"] if o] == [1, 4, 16]
    assert "'n' is a required property" in out.loc[2, "error"]  # missing: absent, not NaN
    runs = wb.runs(batch="b1")
    assert sorted(runs["run_id"]) == sorted(out["run_id"])  # the rejected one too
    assert set(runs["batch_id"]) == {"b1"}
    assert sorted(runs["idempotency_key"]) == ["b1:0", "b1:1", "b1:2", "b1:3"]
    assert wb.runs.get(out.loc[0, "run_id"])["input"] == {"n": 1}  # an int, not 1.0


def test_resume_runs_only_what_did_not_succeed(wb: Workbench, tmp_path: Path) -> None:
    effects = tmp_path / "effects"
    rows = [{"n": i, "effects": str(effects)} for i in range(5)]
    rows[3] = {"n": "three"}  # rejected
    first = wb.run_many("Where", rows, batch="again")
    assert list(first["status"]).count("succeeded") == 4
    assert effects.read_text() == "x" * 4
    rows[3] = {"n": 3, "effects": str(effects)}
    second = wb.run_many("Where", rows, batch="again")
    assert list(second["status"]) == ["succeeded"] * 5
    assert list(second["resumed"]) == [True, True, True, False, True]
    assert effects.read_text() == "x" * 5  # nothing that succeeded was called again
    assert list(second["run_id"][[0, 1, 2, 4]]) == list(first["run_id"][[0, 1, 2, 4]])
    assert len(wb.runs(batch="again")) == 6
    rows[0] = {"n": 100}
    with pytest.raises(IdempotencyConflict, match="row\\(s\\) 0 already succeeded"):
        wb.run_many("Where", rows, batch="again")


def test_cancel_leaves_no_run_running(wb: Workbench, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    gate.mkdir()
    rows = [{"n": i, "gate": str(gate)} for i in range(12)]
    job = wb.run_many("Where", rows, batch="stop", concurrency=3, wait=False)
    assert not isinstance(job, pd.DataFrame)
    try:
        actions.wait_for(lambda: actions.started(gate) >= 1, "a row under way")
    finally:
        job.cancel()  # while at most three rows wait at the gate and nine have not started
        (gate / "open").touch()
    out = job.wait()
    assert set(out["status"]) <= {"succeeded", "cancelled"}
    assert "cancelled" in set(out["status"])
    runs = wb.runs(batch="stop")
    assert not set(runs["status"]) & {"running", "queued"}
    assert len(runs) < 12  # rows not started when it was cancelled were not run


def test_progress_callback_sees_every_row(wb: Workbench) -> None:
    seen: list[int] = []
    wb.run_many("Where", [{"n": i} for i in range(6)], progress=lambda p: seen.append(p.done))
    assert seen[0] == 0 and seen[-1] == 6 and sorted(seen) == seen


def test_bad_inputs_are_refused_all_at_once(wb: Workbench) -> None:
    with pytest.raises(UsageError, match="row\\(s\\) 1, 3 are not"):
        wb.run_many("Where", [{"n": 1}, 2, {"n": 3}, "x"])
    with pytest.raises(UsageError, match="DataFrame or a list of dicts"):
        wb.run_many("Where", {"n": 1})


def test_executor_without_distributed_names_the_extra(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingExtra, match=r"pip install 'wfbench\[dask\]'"):
        wb.run_many("Where", [{"n": 1}], executor="tcp://127.0.0.1:1")


def test_runs_time_window_filters_in_sql(wb: Workbench) -> None:
    wb.run_many("Where", [{"n": 1}, {"n": 2}], batch="w")
    now = datetime.now(UTC)
    assert len(wb.runs(since=now - timedelta(minutes=5), batch="w")) == 2
    assert len(wb.runs(since=now + timedelta(minutes=5))) == 0
    assert len(wb.runs(until=now - timedelta(minutes=5))) == 0
    assert len(wb.runs("Where", until=now + timedelta(minutes=5), batch="w")) == 2


def test_export_history_is_parquet_partitioned_by_workflow_and_day(
    wb: Workbench, tmp_path: Path
) -> None:
    wb.run_many("Where", [{"n": i} for i in range(3)], batch="x")
    wb.init(demo=True)
    wb.run("Offboard contractor", {"email": "nobody@example.com"})
    target = tmp_path / "export"
    counts = wb.runs.export(target)
    assert counts == {"runs": 4, "steps": len(wb.sql("select * from steps"))}
    day = f"{wb.runs(batch='x')['started_at'].iloc[0]:%Y-%m-%d}"  # not today's: midnight
    assert (target / "runs" / "workflow_part=Where" / f"day={day}").is_dir()
    assert (target / "runs" / "workflow_part=Offboard_contractor").is_dir()
    back = duckdb.sql(
        f"select workflow, count(*) from read_parquet('{target}/runs/**/*.parquet', "
        "hive_partitioning=true) group by 1 order by 1"
    ).fetchall()
    assert back == [("Offboard contractor", 1), ("Where", 3)]
    steps = pd.read_parquet(target / "steps")
    assert len(steps) == counts["steps"]
    with pytest.raises(UsageError, match="not empty"):
        wb.runs.export(target)


def test_cli_runs_a_batch_from_each_file_kind(
    wb: Workbench, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = wb.path
    csv = tmp_path / "in.csv"
    csv.write_text("n\n1\n2\n\n")
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"n": 1}\n{"n": "x"}\n')
    parquet = tmp_path / "in.parquet"
    pd.DataFrame({"n": [5, 6]}).to_parquet(parquet)
    wb.close()
    out = io.StringIO()
    code = main(["--db", db, "run", "Where", "--inputs", str(csv), "--batch", "c"], out=out)
    # Where's action is registered only in the test's workbench: the CLI's has no handler,
    # so its runs fail; what matters here is the batch's shape.
    assert code == 1, out.getvalue()
    assert out.getvalue().startswith("batch c: 2 input(s): 2 failed")
    assert "resume: wfbench run 'Where' --inputs" in out.getvalue()
    out = io.StringIO()
    assert main(["--db", db, "run", "Where", "--inputs", str(jsonl), "--json"], out=out) == 1
    rows = json.loads(out.getvalue())
    assert [r["status"] for r in rows] == ["failed", "rejected"]
    out = io.StringIO()
    assert main(["--db", db, "run", "Where", "--inputs", str(parquet)], out=out) == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"n": 1}\nnot json\n[1]\n')
    capsys.readouterr()
    assert main(["--db", db, "run", "Where", "--inputs", str(bad)], out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert "2 bad line(s): line 2: not JSON" in err
    assert "line 3: an input must be a JSON object" in err
    assert "Traceback" not in err


def test_remote_action_runs_without_directory(wb: Workbench) -> None:
    spec = wb.catalogue.actions(format="registry").get("test.where")
    assert spec.remote and not spec.exclusive and not spec.is_idempotent(None)
    actions.register(wb, idempotent=True, name="test.again")
    assert wb.catalogue.actions(format="registry").get("test.again").is_idempotent(None)


def test_concurrent_runs_that_change_the_directory_do_not_collide(tmp_path: Path) -> None:
    """Regression: 4 offboardings at once took the same outbox message id and the
    second commit failed; a batch's directory changes now commit one at a time."""
    wb = Workbench(tmp_path / "off.duckdb")
    wb.init(demo=True)
    who = wb.sql("select email from users where employee_type = 'contractor' "
                 "and status = 'active' order by email")  # fmt: skip
    out = wb.run_many("Offboard contractor", who, concurrency=4, progress=False)
    assert set(out["status"]) == {"succeeded"} and len(out) == len(who) > 10
    left = wb.sql("select count(*) from users where employee_type = 'contractor' "
                  "and status = 'active'")  # fmt: skip
    assert left.iloc[0, 0] == 0
    ids = wb.sql("select id from outbox")["id"]
    assert ids.is_unique
