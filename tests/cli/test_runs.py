"""``wfbench run, runs, show``, and the exit codes of a run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wfbench.errors import StoreBusy
from wfbench.workbench import RUN_KEYS, STEP_KEYS
from wfbench.workbench.history import Runs

from .conftest import Wfbench

SAMPLES = Path(__file__).parent.parent.parent / "wfbench" / "samples"
OFFBOARD = "Offboard contractor"


@pytest.fixture
def demo(db: Path, wfbench: Wfbench) -> Path:
    assert wfbench("--db", db, "init", "--demo").code == 0
    return db


def sample_input(name: str) -> str:
    return (SAMPLES / f"{name}.input.json").read_text()


def test_run_json_is_the_shape_show_prints(wfbench: Wfbench, demo: Path) -> None:
    result = wfbench("--db", demo, "run", OFFBOARD, "--input", sample_input("offboard_contractor"))
    assert result.code == 0, result.err + result.out
    run = json.loads(
        wfbench(
            "--db", demo, "run", OFFBOARD, "--dry-run", "--json",
            "--input", sample_input("offboard_contractor"),
        ).out
    )  # fmt: skip
    assert set(run) == {*RUN_KEYS, "steps"}
    assert run["dry_run"] is True and run["steps"]
    assert all(set(step) == set(STEP_KEYS) for step in run["steps"])
    shown = json.loads(wfbench("--db", demo, "show", run["run_id"], "--json").out)
    assert shown == run
    text = wfbench("--db", demo, "show", run["run_id"]).out
    assert f"run {run['run_id']}" in text and "(dry run)" in text


def test_run_prints_progress_and_a_summary(wfbench: Wfbench, demo: Path, tmp_path: Path) -> None:
    given = tmp_path / "input.json"
    given.write_text(sample_input("offboard_contractor"))
    result = wfbench("--db", demo, "run", OFFBOARD, "--input-file", given, "--dry-run")
    assert result.code == 0, result.err
    assert result.out.startswith("run ") and "SUCCEEDED" in result.out
    assert "details: wfbench show" in result.out


def test_run_input_errors_are_exit_two(wfbench: Wfbench, demo: Path, tmp_path: Path) -> None:
    neither = wfbench("--db", demo, "run", OFFBOARD)
    assert neither.code == 2 and "exactly one of" in neither.err
    missing = wfbench("--db", demo, "run", OFFBOARD, "--input-file", tmp_path / "none.json")
    assert missing.code == 2 and "cannot read" in missing.err
    not_json = wfbench("--db", demo, "run", OFFBOARD, "--input", "{")
    assert not_json.code == 2 and "not valid JSON" in not_json.err


def test_a_rejected_run_is_exit_three_and_kept(wfbench: Wfbench, demo: Path) -> None:
    result = wfbench("--db", demo, "run", OFFBOARD, "--input", "{}", "--json")
    assert result.code == 3
    run = json.loads(result.out)
    assert run["status"] == "rejected" and run["reasons"]
    assert wfbench("--db", demo, "disable", OFFBOARD).code == 0
    disabled = wfbench(
        "--db", demo, "run", OFFBOARD, "--input", sample_input("offboard_contractor")
    )
    assert disabled.code == 3 and "disabled" in disabled.out


def test_runs_lists_newest_first_without_steps(wfbench: Wfbench, demo: Path) -> None:
    assert wfbench("--db", demo, "runs").out == "no runs yet\n"
    for _ in range(2):
        wfbench("--db", demo, "run", OFFBOARD, "--input", "{}")
    rows = json.loads(wfbench("--db", demo, "runs", "--json", "--limit", "1").out)
    assert len(rows) == 1 and "steps" not in rows[0]
    assert set(rows[0]) <= set(RUN_KEYS)
    rejected = json.loads(wfbench("--db", demo, "runs", "--json", "--status", "rejected").out)
    assert len(rejected) == 2
    assert "rejected" in wfbench("--db", demo, "runs", "--workflow", OFFBOARD).out
    assert wfbench("--db", demo, "show", "run_nope").code == 2


def test_the_runs_table_shows_what_the_json_does(wfbench: Wfbench, demo: Path) -> None:
    """The text table (printed without pandas) lists the same runs, newest first, with a
    row per run, times in UTC, nothing as ``-``; text from a run is printed escaped."""
    wfbench("--db", demo, "run", OFFBOARD, "--input", "{}")  # rejected: no input
    wfbench("--db", demo, "run", OFFBOARD, "--input", sample_input("offboard_contractor"))
    rows = json.loads(wfbench("--db", demo, "runs", "--json").out)
    lines = wfbench("--db", demo, "runs").out.splitlines()
    assert lines[0].split() == [
        "run_id",
        "workflow",
        "version",
        "status",
        "dry_run",
        "directory",
        "started_by",
        "started_at",
        "duration_ms",
        "error",
    ]
    assert all("  embedded  " in line for line in lines[1:])  # the directory each acted on
    assert [line.split()[0] for line in lines[1:]] == [r["run_id"] for r in rows]
    for line, row in zip(lines[1:], rows, strict=True):
        assert f"  {row['status']}  " in line, (line, row["status"])
        assert re.search(r"  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  ", line), line
    assert lines[1].rstrip().endswith(" -")  # the succeeded run has no error
    assert "rejected" in lines[2] and "..." in lines[2]  # its message cut at 60 characters


def test_a_table_cell_never_carries_control_characters() -> None:
    from datetime import UTC, datetime

    from wfbench.cli.output import text_table

    table = text_table(
        ["name", "n", "at", "error"],
        [
            ["a\x1b[31mred\u202e", 7, datetime(2026, 1, 2, 3, 4, 5), None],
            ["b", 12.345, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "x" * 100],
        ],
    )
    lines = table.splitlines()
    assert lines[1].startswith("a\\x1b[31mred\\u202e")
    assert all(c.isprintable() for c in table.replace("\n", ""))
    assert "2026-01-02T03:04:05Z" in lines[1] and "2026-01-02T03:04:05Z" in lines[2]
    assert lines[1].split()[1] == "7" and lines[2].split()[1] == "12.3"
    assert lines[1].endswith("-") and lines[2].endswith("x" * 57 + "...")


def test_a_busy_store_is_exit_four(
    wfbench: Wfbench, demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(*_: object, **__: object) -> None:
        raise StoreBusy("the store file is held by process 1; try again later")

    monkeypatch.setattr(Runs, "__call__", busy)  # wb.runs(), in any format
    result = wfbench("--db", demo, "runs")
    assert result.code == 4
    assert result.err == "wfbench: the store file is held by process 1; try again later\n"
