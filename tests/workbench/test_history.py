"""wfbench.workbench.history: ``wb.runs``: the runs table, one run, its steps, a re-run."""

from __future__ import annotations

from wfbench.runs import RunRecord
from wfbench.workbench import Workbench

from .support import HELLO


def test_check_input_applies_defaults_and_lists_every_problem(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.save(HELLO)
    ok = wb.runs.check_input("Hello", {"name": "Ada"})
    assert ok.ok and ok.value == {"name": "Ada", "times": 1}
    bad = wb.runs.check_input(wb.get("Hello"), {"times": "x", "extra": 1})
    assert not bad.ok and bad.value is None and "input schema" in bad.summary
    assert {p for p, _ in bad.problems} >= {"", "/times"}
    assert wb.runs().empty  # nothing was started


def test_the_runs_table_filters_newest_first(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.save(HELLO)
    wb.save({**HELLO, "name": "Other"})
    first = wb.run("Hello", {"name": "Ada"})
    second = wb.run("Hello", {"name": "Bob"}, dry_run=True)
    other = wb.run("Other", {"name": "Cy"})
    assert list(wb.runs()["run_id"]) == [other.run_id, second.run_id, first.run_id]
    assert list(wb.runs("Hello")["run_id"]) == [second.run_id, first.run_id]
    assert list(wb.runs("Hello", limit=1, offset=1)["run_id"]) == [first.run_id]
    assert wb.runs(status="failed").empty
    rows = wb.runs("Other", format="rows")
    assert len(rows.rows) == 1 and rows.rows[0][rows.columns.index("run_id")] == other.run_id
    assert wb.runs.get(first.run_id)["input"] == {"name": "Ada", "times": 1}
    assert list(wb.runs.steps(first.run_id)["node"]) == ["log"]
    assert wb.runs.sql("SELECT count(*) AS n FROM runs WHERE dry_run")["n"].iloc[0] == 1


def test_a_rerun_keeps_the_past_runs_input_and_dry_run_unless_told(
    memory_wb: Workbench,
) -> None:
    wb = memory_wb
    wb.save(HELLO)
    past = wb.run("Hello", {"name": "Ada", "times": 2}, dry_run=True)
    again = wb.runs.rerun(past.run_id)
    assert isinstance(again, RunRecord)
    assert (again.rerun_of, again.input, again.dry_run) == (past.run_id, past.input, True)
    edited = wb.runs.rerun(past.run_id, {"name": "Bob"}, dry_run=False)
    assert isinstance(edited, RunRecord)
    assert (edited.input, edited.dry_run) == ({"name": "Bob", "times": 1}, False)
