"""Exercises as the learner gets them: the task and public cases, checked in their kernel;
every exercise solved by its solution; the learner's folder holds no hidden expectation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from solutions import (
    EXERCISES,
    HIDDEN,
    LEARNER_FOLDER,
    LOOKUP,
    PILOT,
    SUSPEND,
    SUSPEND_EVERYONE,
    USER,
)

from wfbench.errors import UsageError
from wfbench.training import ClassBoard, Exercise, HiddenExercise
from wfbench.training.client import NO_BOARD
from wfbench.training.hidden import hidden_files
from wfbench.workbench import Workbench


@pytest.fixture(autouse=True)
def _no_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WFBENCH_CLASS_URL", raising=False)
    monkeypatch.delenv("WFBENCH_CLASS_KEY", raising=False)


def test_right_solutions_pass_every_public_case(wb: Workbench) -> None:
    for flow, name in ((LOOKUP, "1_lookup"), (SUSPEND, "2_suspend"), (PILOT, "3_pilot")):
        wb.save(flow)
        result = Exercise.load(EXERCISES / f"{name}.json").check(wb)
        assert result.passed, result.cases
        assert all(not c.hidden for c in result.cases)
        assert result.board == NO_BOARD and not result.complete
    assert len(wb.runs()) == 0


def test_a_public_case_that_fails_shows_what_differed(wb: Workbench) -> None:
    wrong = json.loads(json.dumps(LOOKUP).replace('"id": "user"', '"id": "person"'))
    wb.save(wrong)
    result = Exercise.load(EXERCISES / "1_lookup.json").check(wb)
    (case,) = result.cases
    assert not case.passed and not case.hidden
    assert case.details and any("user" in d for d in case.details), case.details
    assert "user" in result._repr_html_()  # public: its expectation may be shown


def test_a_workflow_not_saved_yet(wb: Workbench) -> None:
    result = Exercise.load(EXERCISES / "1_lookup.json").check(wb)
    assert not result.passed
    assert all("save a workflow named 'Look up a person'" in c.hint for c in result.cases)


def test_bad_exercise_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"title": "t"}')
    with pytest.raises(UsageError, match="workflow"):
        Exercise.load(tmp_path / "x.json")
    (tmp_path / "y.json").write_text('{"title": "t", "workflow": "w", "hidden": []}')
    with pytest.raises(UsageError, match="hidden"):  # no place for hidden cases here
        Exercise.load(tmp_path / "y.json")


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_the_learner_folder_holds_no_hidden_expectation() -> None:
    """Nothing a hidden case holds (its name, hint, and the values of its input, mocks and
    expectations; plain words such as ``employee`` are vocabulary, not secrets) is in any
    file of the folder a trainer hands out, nor in what an exercise shows."""
    learner_text = "\n".join(
        f.read_text(encoding="utf-8", errors="replace")
        for f in sorted(LEARNER_FOLDER.rglob("*"))
        if f.is_file()
    )
    shown = "\n".join(
        repr(e) + repr(e.cases) + e._repr_markdown_()
        for e in (Exercise.load(f) for f in sorted(EXERCISES.glob("*.json")))
    )
    public = {s for f in EXERCISES.glob("*.json") for s in _strings(json.loads(f.read_text()))}
    for file in hidden_files(HIDDEN):
        for case in HiddenExercise.load(file).cases:
            secrets = [case.name, case.hint] + [
                s
                for s in _strings(case.model_dump(include={"input", "mocks", "expect"}))
                if len(s) > 3 and s not in public and not s.isalpha()  # not a plain word
            ]
            leaked = [s for s in secrets if s in learner_text or s in shown]
            assert not leaked, (file.name, case.name, leaked)
    assert not list(LEARNER_FOLDER.rglob("hidden"))


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


def test_the_wrong_solutions_pass_the_public_cases_but_not_the_hidden(wb: Workbench) -> None:
    """Why hidden cases: a public case alone lets these through; the board does not."""
    board = ClassBoard(wb)
    board.add_exercises(HIDDEN)
    wb.save(SUSPEND_EVERYONE)
    assert Exercise.load(EXERCISES / "2_suspend.json").check(wb, post=False).passed
    from wfbench.training import CheckPost

    answer = board.check(
        "ada", CheckPost(attempt="w1", exercise="2_suspend", definition=SUSPEND_EVERYONE)
    )
    assert answer["passed"] is False and answer["cases_passed"] == 1
    assert USER["id"] == "user"
