"""wfbench.batch.export: history as Parquet, partitioned by workflow and day."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from wfbench.errors import UsageError
from wfbench.workbench import Workbench

HELLO: dict[str, Any] = {
    "name": "Hello / world",  # a name a folder cannot take as it is
    "run_as": "read_only",
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "hi"}}],
}


def test_runs_and_steps_land_in_hive_partitions(tmp_path: Path) -> None:
    wb = Workbench(":memory:")
    wb.save(HELLO)
    runs = [wb.run("Hello / world") for _ in range(2)]
    counts = wb.runs.export(tmp_path / "history")
    assert counts == {"runs": 2, "steps": 2}
    day = runs[0].started_at.strftime("%Y-%m-%d")
    folder = tmp_path / "history" / "runs" / "workflow_part=Hello_world" / f"day={day}"
    assert folder.is_dir()
    read = duckdb.sql(
        f"SELECT run_id, workflow, workflow_part FROM read_parquet("
        f"'{tmp_path}/history/runs/**/*.parquet', hive_partitioning = true) ORDER BY run_id"
    ).fetchall()
    assert read == sorted((r.run_id, "Hello / world", "Hello_world") for r in runs)
    steps = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{tmp_path}/history/steps/**/*.parquet')"
    ).fetchall()
    assert steps == [(2,)]


def test_nothing_to_export_makes_an_empty_folder_and_a_full_one_is_refused(
    tmp_path: Path,
) -> None:
    wb = Workbench(":memory:")
    assert wb.runs.export(tmp_path / "empty") == {"runs": 0, "steps": 0}
    assert list((tmp_path / "empty").iterdir()) == []
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match="is not empty; export to a new or empty folder"):
        wb.runs.export(tmp_path / "full")
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
