"""``wb.drafts``: a canvas's kept draft outlives the Workbench; cases stay with a version."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfbench import NotFound, Workbench

NAME = "Offboard contractor"


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    wb = Workbench(tmp_path / "drafts.duckdb")
    wb.init(demo=True)
    return wb


def test_a_kept_draft_is_given_back_by_another_workbench_and_dropped(
    wb: Workbench, tmp_path: Path
) -> None:
    draft = {"format": "wfbench/v1", "name": "Half done", "steps": []}
    wb.drafts.keep("new:Half done", draft, [{"name": "one", "input": {}}])
    wb.close()
    again = Workbench(tmp_path / "drafts.duckdb")
    kept = again.drafts.kept("new:Half done")
    assert kept is not None
    assert kept.definition == draft
    assert kept.cases == [{"name": "one", "input": {}}]
    again.drafts.drop("new:Half done")
    assert again.drafts.kept("new:Half done") is None
    assert again.drafts.kept("new:never kept") is None


def test_cases_are_saved_with_one_version(wb: Workbench) -> None:
    version = wb.workflows.info(NAME).version
    cases = [{"name": "contractor", "input": {"email": "a@example.com"}}]
    wb.drafts.save_cases(NAME, cases)
    assert wb.drafts.cases(NAME) == cases
    assert wb.drafts.cases(NAME, version) == cases
    wb.save(wb.get(NAME).model_dump(by_alias=True, exclude_none=True) | {"description": "v2"})
    assert wb.drafts.cases(NAME) is None  # the new version has none of its own
    assert wb.drafts.cases(NAME, version) == cases


def test_cases_of_an_unknown_workflow_are_refused(wb: Workbench) -> None:
    with pytest.raises(NotFound):
        wb.drafts.cases("No such workflow")
