"""wfbench.training.client, with Exercise.check: a learner's check against a real class
board served on loopback, in another store than the learner's."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from solutions import EXERCISES, HIDDEN, LOOKUP, LOOKUP_ADA_ONLY, SUSPEND, SUSPEND_EVERYONE

from wfbench.training import ClassBoard, Exercise, HiddenExercise
from wfbench.training.board import CHECKS_PATH
from wfbench.training.client import NO_BOARD, send_check
from wfbench.workbench import Workbench


@pytest.fixture(autouse=True)
def _no_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WFBENCH_CLASS_URL", raising=False)
    monkeypatch.delenv("WFBENCH_CLASS_KEY", raising=False)


@pytest.fixture
def room(tmp_path: Path) -> Iterator[tuple[str, ClassBoard, Workbench]]:
    """The trainer's store served with its class board, and a learner's own store."""
    trainer = Workbench(tmp_path / "trainer.duckdb")
    trainer.init(demo=True)
    board = ClassBoard(trainer)
    board.add_exercises(HIDDEN)
    learner = Workbench(tmp_path / "ada.duckdb")
    learner.init(demo=True)
    with trainer.serve(port=0, classroom=True) as server:
        yield server.url, board, learner


def secrets_of(exercise: str) -> list[str]:
    """The hidden cases' inputs and expected values, as text (what no learner may see)."""
    hidden = HiddenExercise.load(HIDDEN / f"{exercise}.json")
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value) > 3:
            found.append(value)

    for case in hidden.cases:
        walk(case.input)
        walk(case.expect.model_dump(exclude_defaults=True))
        walk(case.model_dump(include={"mocks"}))
    public = json.dumps(Exercise.load(EXERCISES / f"{exercise}.json").model_dump())
    return sorted({s for s in found if s not in public and s not in ("succeeded", "failed")})


def test_a_right_definition_passes_public_and_hidden_cases(
    room: tuple[str, ClassBoard, Workbench],
) -> None:
    url, board, learner = room
    key = board.add_learner("ada")
    learner.save(SUSPEND)
    result = Exercise.load(EXERCISES / "2_suspend.json").check(learner, url=url, key=key)
    assert result.hidden_checked and result.complete, result
    public = [c.case for c in result.cases if not c.hidden]
    hidden = [c.case for c in result.cases if c.hidden]
    assert public == ["a contractor is suspended"]
    assert hidden == [c.name for c in board.hidden("2_suspend").cases]
    assert result.board == "checked on the class board: 3/3 hidden cases pass"
    recorded = board.results()
    assert list(recorded["attempt"]) == [result.attempt]
    assert (bool(recorded["passed"][0]), int(recorded["cases_total"][0])) == (True, 3)
    assert len(learner.runs()) == 0 and len(board.wb.runs()) == 0  # sandboxes on both sides


def test_a_wrong_definition_gets_hints_never_the_expectations(
    room: tuple[str, ClassBoard, Workbench],
) -> None:
    url, board, learner = room
    key = board.add_learner("ada")
    learner.save(SUSPEND_EVERYONE)  # passes the public case, suspends employees too
    exercise = Exercise.load(EXERCISES / "2_suspend.json")
    result = exercise.check(learner, url=url, key=key)
    assert [c.passed for c in result.cases if not c.hidden] == [True]
    failed = {c.case: c.hint for c in result.cases if c.hidden and not c.passed}
    hints = {c.name: c.hint for c in board.hidden("2_suspend").cases}
    assert failed == {name: hints[name] for name in failed} and len(failed) == 2
    assert not result.passed and result.hidden_checked
    assert board.table().loc["ada", "2_suspend"].startswith("✖ 1/3")

    # the board's answer itself, as sent over the wire
    body = {"attempt": "raw-1", "exercise": "2_suspend", "definition": SUSPEND_EVERYONE}
    answer = httpx.post(url + CHECKS_PATH, json=body, headers={"x-api-key": key}, timeout=60)
    assert answer.status_code == 201
    shown = answer.text + repr(result) + result._repr_html_()
    leaked = [s for s in secrets_of("2_suspend") if s in shown]
    assert not leaked, leaked
    assert {k for c in answer.json()["cases"] for k in c} == {"case", "passed", "status", "hint"}


def test_a_lookup_written_for_ada_only_fails_on_the_board_alone(
    room: tuple[str, ClassBoard, Workbench],
) -> None:
    url, board, learner = room
    key = board.add_learner("ada")
    learner.save(LOOKUP_ADA_ONLY)
    result = Exercise.load(EXERCISES / "1_lookup.json").check(learner, url=url, key=key)
    assert all(c.passed for c in result.cases if not c.hidden)  # the public case is fooled
    failed = [c.case for c in result.cases if not c.passed]
    assert failed == ["finds someone else", "someone unknown is a failed run"]


def test_a_retry_of_the_same_attempt_is_judged_and_recorded_once(
    room: tuple[str, ClassBoard, Workbench],
) -> None:
    url, board, _ = room
    key = board.add_learner("ada")
    first = send_check("1_lookup", LOOKUP, "same-1", url=url, key=key)
    again = send_check("1_lookup", LOOKUP, "same-1", url=url, key=key)
    assert first.answered and again.answered
    assert [c.passed for c in again.cases] == [c.passed for c in first.cases] == [True, True]
    assert list(board.results()["attempt"]) == ["same-1"]


def test_without_a_board_the_check_says_hidden_cases_run_only_there(tmp_path: Path) -> None:
    learner = Workbench(tmp_path / "ada.duckdb")
    learner.init(demo=True)
    learner.save(LOOKUP)
    result = Exercise.load(EXERCISES / "1_lookup.json").check(learner)
    assert result.board == NO_BOARD and not result.hidden_checked
    assert result.passed and not result.complete  # the public case passes; not the whole
    assert "run only on the class board" in repr(result)
    assert "Well done" not in result._repr_html_()


def test_a_board_out_of_reach_or_refusing_is_said_in_a_sentence(
    room: tuple[str, ClassBoard, Workbench],
) -> None:
    url, board, _ = room
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    away = send_check("1_lookup", LOOKUP, "a1", url=closed, key="wfl_x", tries=1)
    assert not away.answered and "could not be reached" in away.note
    key = board.add_learner("ada")
    board.revoke_learner("ada")
    refused = send_check("1_lookup", LOOKUP, "a2", url=url, key=key)
    assert not refused.answered
    assert refused.note.startswith("the class board refused the check (401)"), refused.note
    unknown = send_check("9_nothing", LOOKUP, "a3", url=url, key=board.add_learner("bo"))
    assert "(422)" in unknown.note and "9_nothing" in unknown.note
    assert len(board.results()) == 0


def test_an_unsaved_workflow_sends_nothing(room: tuple[str, ClassBoard, Workbench]) -> None:
    url, board, learner = room
    key = board.add_learner("ada")
    result = Exercise.load(EXERCISES / "3_pilot.json").check(learner, url=url, key=key)
    assert not result.passed and not result.hidden_checked
    assert "save a workflow named 'Enrol in the laptop pilot' first" in result.board
    assert len(board.results()) == 0
