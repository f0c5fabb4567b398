"""wfbench.testing.runner: each case run and judged: its expectations, what differed and
where, rejected starts, loop iterations by path, and mocks that must name what exists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wfbench.errors import UsageError
from wfbench.testing.changes import KEYS
from wfbench.workbench import Workbench

FIXTURES = Path(__file__).parent / "fixtures"

ADA = "ada.lovelace@example.com"
LOOKUP = FIXTURES / "lookup.json"


def test_a_failed_expectation_names_the_step_and_what_differed(wb: Workbench) -> None:
    report = wb.check(
        LOOKUP,
        [
            {
                "name": "wrong on purpose",
                "input": {"first": ADA, "second": ADA},
                "expect": {
                    "status": "failed",
                    "steps": {"suspend": "skipped", "a": {"output": {"department": "sales"}}},
                    "output": {"b": {"status": "active"}},
                    "changes": ["suspends u_0001"],
                },
            }
        ],
    )
    failures = report.results[0].failures
    assert "the run succeeded, expected failed" in failures
    assert "step suspend: succeeded, expected skipped" in failures
    assert 'step a: output.department is "engineering", expected "sales"' in failures
    assert 'the run\'s output.b.status is "active", expected "active"' not in failures
    assert any(f.startswith("expected the change 'suspends u_0001'") for f in failures)
    frame = report.frame()
    assert list(frame.columns) == ["case", "passed", "status", "path", "failures"]
    assert not frame.loc[0, "passed"]
    assert frame.loc[0, "path"] == ["a", "b", "suspend"]
    html = report._repr_html_()
    assert "#f4cccc" in html and "step suspend: succeeded, expected skipped" in html
    assert "Path of 'wrong on purpose'" in html  # the failed case's path, drawn
    assert "suspend · users.suspend</span> succeeded" in html


def test_input_refused_is_a_rejected_case_and_cases_file_beside_the_workflow(
    wb: Workbench, tmp_path: Path
) -> None:
    report = wb.check(LOOKUP, [{"name": "no input", "expect": {"status": "rejected"}}])
    assert report.passed and report.results[0].status == "rejected"
    report = wb.check(LOOKUP)  # lookup.cases.json beside it
    assert report.passed, [r.failures for r in report.results]
    assert [r.case for r in report.results] == [
        "suspends the second person",
        "an unknown first person fails",
    ]


def test_loop_iterations_by_path_and_on_item_error(wb: Workbench) -> None:
    doc = json.loads((FIXTURES / "lookup.json").read_text())
    doc.update(
        name="Loop",
        run_as="manager",
        steps=[
            {
                "id": "each",
                "kind": "loop",
                "items": "{{ input.emails }}",
                "as": "email",
                "max_iterations": 10,
                "on_item_error": "continue",
                "steps": [
                    {
                        "id": "who",
                        "kind": "action",
                        "action": "users.get",
                        "with": {"email": "{{ email }}"},
                    }
                ],
            },
        ],
    )
    doc["trigger"] = {
        "input_schema": {
            "type": "object",
            "properties": {"emails": {"type": "array", "items": {"type": "string"}}},
        }
    }
    case = {
        "name": "second fails",
        "input": {"emails": [ADA, "nobody@example.com"]},
        "expect": {
            "status": "succeeded",
            "steps": {
                "each[0].who": "succeeded",
                "each[1].who": {"status": "failed", "error": "nobody"},
            },
        },
    }
    report = wb.check(doc, [case])
    assert report.passed, report.results[0].failures


def test_mocks_and_expectations_must_name_what_exists(wb: Workbench) -> None:
    with pytest.raises(UsageError, match="mock 'nope': no step with that id"):
        wb.check(LOOKUP, [{"name": "x", "mocks": {"nope": {"error": "e"}}}])
    with pytest.raises(UsageError, match="exactly one of"):
        wb.check(LOOKUP, [{"name": "x", "mocks": {"a": {}}}])
    with pytest.raises(UsageError, match=r"expect\.steps 'zz'"):
        wb.check(LOOKUP, [{"name": "x", "expect": {"steps": {"zz": "failed"}}}])
    assert KEYS["memberships"] == ("group_id", "user_id")
