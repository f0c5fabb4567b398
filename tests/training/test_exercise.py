"""wfbench.training.exercise: an exercise file, and a learner's check of their saved
workflow against its cases (nothing sent to a class board here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wfbench.errors import UsageError
from wfbench.training.exercise import Exercise
from wfbench.workbench import Workbench

EXERCISE: dict[str, Any] = {
    "title": "Echo the name",
    "instructions": "Save a workflow **Echo** that sets its input's name.",
    "workflow": "Echo",
    "cases": [
        {"name": "echoes", "input": {"name": "Ada"}, "expect": {"status": "succeeded"}},
        {
            "name": "fails on purpose",
            "input": {"name": "Bob"},
            "expect": {"status": "failed"},
            "hint": "read the task again",
        },
    ],
}
ECHO: dict[str, Any] = {
    "name": "Echo",
    "run_as": "read_only",
    "trigger": {"input_schema": {"type": "object", "properties": {"name": {"type": "string"}}}},
    "steps": [
        {"id": "set", "kind": "action", "action": "core.set", "with": {"value": "{{ input.name }}"}}
    ],
}


@pytest.fixture
def exercise(tmp_path: Path) -> Exercise:
    path = tmp_path / "echo_name.json"
    path.write_text(json.dumps(EXERCISE))
    return Exercise.load(path)


def test_an_exercise_file_is_read_with_every_problem_named(
    exercise: Exercise, tmp_path: Path
) -> None:
    assert (exercise.id, exercise.title, exercise.workflow) == (
        "echo_name",
        "Echo the name",
        "Echo",
    )  # the id is the file's name
    assert [c.name for c in exercise.cases] == ["echoes", "fails on purpose"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"title": "", "surprise": 1}))
    with pytest.raises(UsageError) as refused:
        Exercise.load(bad)
    said = str(refused.value)
    assert said.startswith(f"{bad}: ") and "title" in said and "workflow" in said
    assert "surprise" in said
    bad.write_text("{oops")
    with pytest.raises(UsageError, match="not JSON"):
        Exercise.load(bad)


def test_a_check_runs_each_case_on_the_saved_workflow(exercise: Exercise) -> None:
    wb = Workbench(":memory:")
    missing = exercise.check(wb, post=False)
    assert not missing.passed
    assert {c.hint for c in missing.cases} == {"save a workflow named 'Echo' first"}
    wb.save(ECHO)
    result = exercise.check(wb, post=False)
    assert [(c.case, c.passed, c.status) for c in result.cases] == [
        ("echoes", True, "succeeded"),
        ("fails on purpose", False, "succeeded"),
    ]
    assert not result.passed and result.cases[1].hint == "read the task again"
    assert result.cases[0].hint == ""
    assert wb.runs().empty  # cases run in the sandbox
