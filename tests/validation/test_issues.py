"""Issues and reports (wfbench.issues, wfbench.validation.issues): one table of codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wfbench.errors import DefinitionError
from wfbench.issues import Issue
from wfbench.validation import CODES, Report, validate

ROOT = Path(__file__).parents[2]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "invalid"
NOT_CODES = {"loop.index"}  # a name in scope, spelled like a code


def test_every_code_the_source_reports_is_in_the_table() -> None:
    sources = [
        *sorted((ROOT / "wfbench" / "validation").glob("*.py")),
        ROOT / "wfbench" / "model.py",
    ]
    literals = {
        code
        for path in sources
        for code in re.findall(r'"([a-z]+\.[a-z_]+)"', path.read_text(encoding="utf-8"))
    }
    assert literals - NOT_CODES - set(CODES) == set()
    assert set(CODES) - literals == set(), "a code in the table that nothing reports"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_reported_code_is_in_the_table(path: Path) -> None:
    report = validate(json.loads(path.read_text(encoding="utf-8")))
    assert report.issues
    assert {i.code for i in report.issues} <= set(CODES)


def test_issue_shapes() -> None:
    issue = Issue.make("error", "ref.self", "a", "with.x", "no", "/steps/0/with/x", 3)
    assert issue.to_dict() == {
        "severity": "error",
        "code": "ref.self",
        "node": "a",
        "field": "with.x",
        "message": "no",
        "pointer": "/steps/0/with/x",
        "position": 3,
    }
    assert "position" not in Issue.make("warning", "role.broader", None, None, "m").to_dict()
    assert issue.describe() == "[ref.self] node 'a', with.x: no"


def test_a_report_splits_errors_from_warnings_and_raises_for_errors() -> None:
    warning = Issue.make("warning", "role.broader", None, "run_as", "broad")
    error = Issue.make("error", "ref.self", "a", None, "self")
    assert Report([warning], None).valid
    report = Report([warning, error], None)
    assert (report.errors, report.warnings, report.valid) == ([error], [warning], False)
    with pytest.raises(DefinitionError, match=r"look\.json: 1 error\(s\)") as caught:
        report.raise_for_errors(source="look.json")
    assert caught.value.issues == [warning, error]
