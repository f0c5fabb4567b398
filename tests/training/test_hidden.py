"""wfbench.training.hidden: the trainer's hidden cases, and judging a definition by them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from solutions import HIDDEN, LOOKUP, PILOT, SUSPEND, SUSPEND_EVERYONE

from wfbench.errors import DefinitionError, UsageError
from wfbench.training.hidden import (
    LACKS_STEP,
    HiddenExercise,
    hidden_files,
    judge,
    valid_workflow,
)
from wfbench.workbench import Workbench

RIGHT = {"1_lookup": LOOKUP, "2_suspend": SUSPEND, "3_pilot": PILOT}


def tables(wb: Workbench) -> dict[str, list[str]]:
    """Every row of every table of the store, as text: what a check must leave alone."""
    names = wb.sql("select table_name from information_schema.tables order by 1")["table_name"]
    return {
        name: sorted(map(repr, wb.sql(f'select * from "{name}"').itertuples(index=False)))
        for name in names
    }


def test_the_shipped_hidden_files_load_with_their_ids() -> None:
    loaded = [HiddenExercise.load(f) for f in hidden_files(HIDDEN)]
    assert [h.exercise for h in loaded] == ["1_lookup", "2_suspend", "3_pilot"]
    assert all(h.title and h.cases and all(c.hint for c in h.cases) for h in loaded)


def test_a_file_without_exercise_takes_its_file_name(tmp_path: Path) -> None:
    data = {"cases": [{"name": "x", "expect": {"status": "succeeded"}, "hint": "look again"}]}
    (tmp_path / "9_mine.json").write_text(json.dumps(data))
    hidden = HiddenExercise.load(tmp_path / "9_mine.json")
    assert (hidden.exercise, hidden.title) == ("9_mine", "9_mine")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("{", "not JSON"),
        ('{"cases": []}', "cases"),
        ('{"cases": [{"name": "a"}]}', "cases.0.hint"),
        ('{"cases": [{"name": "a", "hint": "h"}, {"name": "a", "hint": "h"}]}', "a is used twice"),
        ('{"cases": [{"name": "a", "hint": "h", "expect": {"stauts": "x"}}], "x": 1}', "x:"),
    ],
)
def test_bad_hidden_files_are_refused_in_words(tmp_path: Path, content: str, said: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    with pytest.raises(UsageError, match=re.escape(said)) as refused:
        HiddenExercise.load(tmp_path / "bad.json")
    assert str(tmp_path / "bad.json") in str(refused.value)


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"cases": [{"name": ""}], "title": 5}')
    with pytest.raises(UsageError) as refused:
        HiddenExercise.load(tmp_path / "bad.json")
    for part in ("title", "cases.0.name", "cases.0.hint"):
        assert part in str(refused.value)


def test_hidden_files_of_a_folder_a_file_or_nothing(tmp_path: Path) -> None:
    assert [f.name for f in hidden_files(HIDDEN)] == [
        "1_lookup.json",
        "2_suspend.json",
        "3_pilot.json",
    ]
    assert hidden_files(HIDDEN / "2_suspend.json") == [HIDDEN / "2_suspend.json"]
    with pytest.raises(UsageError, match="no hidden-cases files"):
        hidden_files(tmp_path)
    with pytest.raises(UsageError, match="no such file or folder"):
        hidden_files(tmp_path / "missing")


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_the_right_definitions_pass_every_hidden_case(wb: Workbench, exercise: str) -> None:
    hidden = HiddenExercise.load(HIDDEN / f"{exercise}.json")
    outcomes = judge(wb, hidden, valid_workflow(wb, RIGHT[exercise]))
    assert [o.case for o in outcomes] == [c.name for c in hidden.cases]
    assert all(o.passed and o.hidden and o.hint == "" for o in outcomes), outcomes


def test_a_wrong_definition_gets_the_hints_of_what_failed_only(wb: Workbench) -> None:
    hidden = HiddenExercise.load(HIDDEN / "2_suspend.json")
    outcomes = {o.case: o for o in judge(wb, hidden, valid_workflow(wb, SUSPEND_EVERYONE))}
    assert outcomes["another contractor is suspended"].passed
    assert outcomes["another contractor is suspended"].hint == ""
    for case in hidden.cases[1:]:
        assert not outcomes[case.name].passed
        assert outcomes[case.name].hint == case.hint
        assert outcomes[case.name].status == "succeeded"  # how their run ended
        assert set(outcomes[case.name].to_dict()) == {"case", "passed", "status", "hint"}


def test_a_case_whose_step_is_missing_says_so(wb: Workbench) -> None:
    hidden = HiddenExercise.load(HIDDEN / "2_suspend.json")
    renamed = json.loads(json.dumps(SUSPEND).replace('"user"', '"person"'))
    renamed = json.loads(json.dumps(renamed).replace("steps.user.", "steps.person."))
    outcomes = judge(wb, hidden, valid_workflow(wb, renamed))
    mocked = outcomes[2]  # its mock names the step `user`
    assert (mocked.passed, mocked.hint) == (False, LACKS_STEP)


def test_an_invalid_definition_is_refused_with_every_issue(wb: Workbench) -> None:
    broken: dict[str, Any] = json.loads(json.dumps(SUSPEND))
    broken["steps"][0]["action"] = "users.fetch"
    broken["run_as"] = "nobody"
    with pytest.raises(DefinitionError) as refused:
        valid_workflow(wb, broken)
    errors = [i for i in refused.value.issues if i.severity == "error"]
    assert len(errors) >= 2, errors


def test_judging_leaves_the_board_store_as_it_was(wb: Workbench) -> None:
    """A definition that deletes and suspends for real: rolled back, no history, no
    definition saved."""
    wrecker = {
        "format": "wfbench/v1",
        "name": "Wreck",
        "run_as": "administrator",
        "trigger": {
            "input_schema": {"type": "object", "properties": {"email": {"type": "string"}}}
        },
        "steps": [
            {
                "id": "user",
                "kind": "action",
                "action": "users.get",
                "with": {"email": "{{ input.email }}"},
            },
            {
                "id": "gone",
                "kind": "action",
                "action": "users.delete",
                "with": {"user_id": "{{ steps.user.output.id }}"},
            },
        ],
    }
    before = tables(wb)
    for name in RIGHT:
        hidden = HiddenExercise.load(HIDDEN / f"{name}.json")
        judge(wb, hidden, valid_workflow(wb, wrecker))
        judge(wb, hidden, valid_workflow(wb, RIGHT[name]))
    assert tables(wb) == before


#: What a hint may not hold: an expression, an id, an address, a setting's value, an
#: action's name: each would spell out part of the answer.
GIVEAWAYS = re.compile(
    r"\{\{|\bu_\d|\bg_\d|@|\bcontinue\b|on_item_error|on_error|\b[a-z]+\.[a-z_]+\b"
)


def _values(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [v for item in value.values() for v in _values(item)]
    if isinstance(value, list):
        return [v for item in value for v in _values(item)]
    return [str(value)] if isinstance(value, str) and len(str(value)) > 3 else []


def test_hints_guide_without_giving_the_answer() -> None:
    for file in hidden_files(HIDDEN):
        for case in HiddenExercise.load(file).cases:
            assert not GIVEAWAYS.search(case.hint), (file.name, case.name, case.hint)
            expected = _values(case.expect.model_dump()) + _values(case.input)
            assert not [v for v in expected if v in case.hint], (file.name, case.name)
