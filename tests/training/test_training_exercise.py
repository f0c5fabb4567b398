"""Exercises check a learner's workflow, show hints, never the hidden expectations."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from solutions import EXERCISES, LOOKUP, PILOT, SUSPEND, SUSPEND_EVERYONE

from wfbench.training import ClassBoard, Exercise
from wfbench.workbench import Workbench


@pytest.fixture(autouse=True)
def _no_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WFBENCH_CLASS_URL", raising=False)
    monkeypatch.delenv("WFBENCH_CLASS_KEY", raising=False)


def test_right_solutions_pass_every_exercise(wb: Workbench) -> None:
    for flow, name in ((LOOKUP, "1_lookup"), (SUSPEND, "2_suspend"), (PILOT, "3_pilot")):
        wb.save(flow)
        result = Exercise.load(EXERCISES / f"{name}.json").check(wb)
        assert result.passed, result.cases
        assert result.posted is None  # no class set
    assert len(wb.runs()) == 0


def test_a_wrong_solution_shows_hints_and_never_the_expectations(wb: Workbench) -> None:
    wb.save(SUSPEND_EVERYONE)
    exercise = Exercise.load(EXERCISES / "2_suspend.json")
    result = exercise.check(wb)
    assert not result.passed
    outcome = {c.case: c for c in result.cases}
    employee = outcome["an employee is left alone"]
    assert not employee.passed
    assert employee.hint == exercise.cases[1].hint
    assert outcome["a contractor is suspended"].passed
    shown = result._repr_html_() + repr(result) + json.dumps(result.payload())
    for secret in ("u_0038", "suspends", "expected", "only_changes", "skipped"):
        assert secret not in shown, secret
    assert set(result.payload()) == {
        "attempt",
        "exercise",
        "title",
        "passed",
        "cases_passed",
        "cases_total",
    }


def test_a_workflow_not_saved_yet(wb: Workbench) -> None:
    result = Exercise.load(EXERCISES / "1_lookup.json").check(wb)
    assert not result.passed
    assert all("save a workflow named 'Look up a person'" in c.hint for c in result.cases)


def test_bad_exercise_files_are_refused(tmp_path: Path) -> None:
    from wfbench.errors import UsageError

    (tmp_path / "x.json").write_text('{"title": "t"}')
    with pytest.raises(UsageError, match="workflow"):
        Exercise.load(tmp_path / "x.json")


def test_reset_directory_keeps_definitions_and_history(wb: Workbench, db: Path) -> None:
    wb.save(SUSPEND)
    wb.run("Suspend a contractor", {"email": "ada.lovelace@example.com"})
    board = ClassBoard(wb)
    board.add_learner("ada")
    status = "select status from users where id = 'u_0038'"
    assert wb.sql(status).iloc[0, 0] == "suspended"
    counts = wb.reset_directory()
    assert counts["users"] == 240
    assert wb.sql(status).iloc[0, 0] == "active"
    assert len(wb.runs()) == 1 and wb.workflows.info("Suspend a contractor").version == 1
    assert board.learners() == ["ada"]
    fresh = Workbench(db.with_name("fresh.duckdb"))
    fresh.init(demo=True)

    def rows(path: Path) -> list[object]:
        con = duckdb.connect(str(path), read_only=True)
        try:
            return [
                sorted(map(repr, con.execute(f'select * from "{t}"').fetchall()))
                for t in ("users", "groups", "memberships", "devices", "outbox", "commands")
            ]
        finally:
            con.close()

    assert rows(db) == rows(db.with_name("fresh.duckdb"))


def test_board_widget_redraws_on_results_and_polls(wb: Workbench) -> None:
    import time

    from wfbench.training import ResultPost

    board = ClassBoard(wb)
    board.add_learner("ada")
    pushed = board.widget()
    polled = board.widget(poll=0.05)
    post = ResultPost(attempt="a1", exercise="1_lookup", passed=True, cases_passed=2, cases_total=2)
    assert board.record("ada", post) == (1, True)
    assert board.record("ada", post) == (1, False)  # the same attempt again: once
    assert "✔ 2/2" in pushed.value
    # A result written by another process: no listener here hears it; polling sees it.
    wb.sql(
        "INSERT INTO class_results VALUES "
        "(2, 'a2', 'ada', '1_lookup', '', false, 1, 2, now()::TIMESTAMP)"
    )
    assert "✖ 1/2" not in pushed.value
    deadline = time.monotonic() + 60  # a bound for failure only: it ends when seen
    while "✖ 1/2" not in polled.value and time.monotonic() < deadline:
        time.sleep(0.05)
    board.stop_polling()
    assert "✖ 1/2" in polled.value
    assert list(board.results()["attempt"]) == ["a1", "a2"]
