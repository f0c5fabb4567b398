"""wfbench.testing.cases: cases files read, checked and matched to their workflow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wfbench.errors import UsageError
from wfbench.testing.cases import (
    case_problems,
    cases_file_for,
    load_cases,
    parse_cases,
    workflow_file_for,
)
from wfbench.validation import load_workflow

SAMPLES = Path(__file__).parents[2] / "wfbench" / "samples"


def test_the_samples_cases_load_and_name_only_what_exists() -> None:
    cases = load_cases(SAMPLES / "offboard_contractor.cases.json")
    assert cases and all(c.name for c in cases)
    workflow = load_workflow(SAMPLES / "offboard_contractor.json")
    actions = {"notify.email", "http.request"}
    assert [p for c in cases for p in case_problems(c, workflow, actions)] == []


def test_case_problems_name_unknown_mocks_and_steps() -> None:
    workflow = load_workflow(SAMPLES / "offboard_contractor.json")
    (case,) = parse_cases(
        {
            "name": "c",
            "mocks": {"nope": {"output": {}}, "x.y": {"error": "down"}},
            "expect": {"steps": {"ghost": "skipped"}},
        }
    )
    assert case_problems(case, workflow, set()) == [
        f"case 'c': mock 'nope': no step with that id in '{workflow.name}'",
        "case 'c': mock 'x.y': no such action in this workbench",
        f"case 'c': expect.steps 'ghost': no step with that id in '{workflow.name}'",
    ]


def test_every_problem_of_a_cases_list_is_reported_at_once() -> None:
    with pytest.raises(UsageError) as caught:
        parse_cases([{"name": ""}, {"name": "a"}, {"name": "a"}, {"name": "b", "bad": 1}])
    message = str(caught.value)
    assert message.startswith("cases: case 1: name: ")
    assert "case 4: bad: Extra inputs are not permitted" in message
    assert message.endswith("two cases are named 'a'")
    with pytest.raises(UsageError, match="a cases file holds a JSON list of cases"):
        parse_cases("x")


def test_files_name_each_other_and_bad_files_are_named(tmp_path: Path) -> None:
    assert cases_file_for("a/lookup.json") == Path("a/lookup.cases.json")
    assert workflow_file_for("a/lookup.cases.json") == Path("a/lookup.json")
    bad = tmp_path / "x.cases.json"
    bad.write_text("[")
    with pytest.raises(
        UsageError, match=r"x\.cases\.json: not valid JSON: .* line 1 column 2; fix the syntax"
    ):
        load_cases(bad)
    with pytest.raises(UsageError, match=r"cannot read .*; check the path"):
        load_cases(tmp_path / "missing.cases.json")
    bad.write_text(json.dumps([{"name": "only"}]))
    assert [c.name for c in load_cases(bad)] == ["only"]
