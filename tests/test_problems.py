"""wfbench.problems: the RFC 9457 problem document every HTTP refusal has."""

from __future__ import annotations

from wfbench.problems import PROBLEM_BASE, problem_body


def test_problem_body_names_type_title_status_and_detail() -> None:
    body = problem_body(404, "not-found", "no workflow 'x'", workflow="x")
    assert body == {
        "type": PROBLEM_BASE + "not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "no workflow 'x'",
        "workflow": "x",
    }
    assert problem_body(409, "taken", "d")["title"] == "Conflict"
