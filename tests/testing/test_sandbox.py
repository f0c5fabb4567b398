"""wfbench.testing.sandbox: cases run in the sandbox: real directory actions, rolled back;
mocks; outside effects refused unless mocked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel

from wfbench.testing import Case, check
from wfbench.workbench import Workbench

FIXTURES = Path(__file__).parent / "fixtures"

ADA = "ada.lovelace@example.com"
LOOKUP = FIXTURES / "lookup.json"


def _tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the store, sorted rows: what "nothing changed" is checked against."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}
    finally:
        con.close()


def test_unmocked_directory_actions_really_run_and_are_rolled_back(wb: Workbench, db: Path) -> None:
    before = _tables(db)
    report = wb.check(
        "Offboard contractor",
        [
            {
                "name": "ada",
                "input": {"email": ADA},
                "expect": {
                    "status": "succeeded",
                    "steps": {"suspend": "succeeded", "leave": "succeeded", "mail": "succeeded"},
                    "changes": ["suspends u_0038", "removes u_0038 from g_07", "locks d_0047"],
                },
            }
        ],
    )
    assert report.passed, report.results[0].failures
    result = report.results[0]
    assert "emails maya.brooks@example.com" in result.changes
    assert "simulated" not in result.statuses.values()
    assert _tables(db) == before  # neither directory nor history changed
    assert {"users", "memberships", "runs", "steps"} <= set(before)


def test_a_failing_case_leaves_the_store_as_it_was(wb: Workbench, db: Path) -> None:
    before = _tables(db)
    report = wb.check(
        "Offboard contractor",
        [{"name": "wrong", "input": {"email": ADA}, "expect": {"status": "failed"}}],
    )
    assert not report.passed
    assert _tables(db) == before
    assert len(wb.runs()) == 0


def test_mocks_replace_exactly_the_calls_they_name(wb: Workbench) -> None:
    fake = {
        "id": "u_9999",
        "email": "fake@example.com",
        "first_name": "F",
        "last_name": "K",
        "department": "it",
        "employee_type": "employee",
        "manager_email": None,
        "status": "active",
        "mfa_enrolled": True,
        "groups": [],
        "created_at": "2026-01-05T09:00:00",
    }
    case = {
        "name": "only a is mocked",
        "input": {"first": ADA, "second": ADA},
        "mocks": {"a": {"output": fake}},
        "expect": {
            "steps": {
                "a": {"status": "succeeded", "output": {"id": "u_9999"}},
                "b": {"status": "succeeded", "output": {"id": "u_0038"}},
            },
            "changes": ["suspends u_0038"],
            "only_changes": True,
        },
    }
    report = wb.check(LOOKUP, [case])
    assert report.passed, report.results[0].failures
    assert report.results[0].mocked == ["a"]

    # A mock by action replaces every call of that action; a step's mock wins over it.
    by_action = {
        "name": "users.get mocked",
        "input": {"first": ADA, "second": ADA},
        "mocks": {"users.get": {"output": fake}, "b": {"error": "directory down"}},
        "expect": {
            "status": "failed",
            "steps": {
                "a": {"output": {"id": "u_9999"}},
                "b": {"status": "failed", "error": "directory down"},
            },
            "changes": [],
            "only_changes": True,
        },
    }
    report = wb.check(LOOKUP, [by_action])
    assert report.passed, report.results[0].failures
    assert report.results[0].mocked == ["a", "b"]


class _In(BaseModel):
    text: str


class _Out(BaseModel):
    ok: bool


def test_unmocked_outside_effects_fail_the_case_without_running(wb: Workbench) -> None:
    called: list[str] = []

    @wb.action("acme.ping", input=_In, output=_Out, permissions=[])
    def ping(params: _In, ctx: Any) -> _Out:
        called.append(params.text)
        return _Out(ok=True)

    doc = {
        "format": "wfbench/v1",
        "name": "Outside",
        "type": "manual",
        "run_as": "administrator",
        "steps": [
            {
                "id": "call_api",
                "kind": "action",
                "action": "http.request",
                "with": {"connector": "acme", "method": "GET", "path": "/x"},
            },
            {
                "id": "ping",
                "kind": "action",
                "action": "acme.ping",
                "with": {"text": "hi"},
                "on_error": "continue",
            },
        ],
    }
    doc["steps"][0]["on_error"] = "continue"
    report = wb.check(doc, [{"name": "unmocked", "expect": {"status": "succeeded"}}])
    result = report.results[0]
    assert not result.passed
    assert result.failures[:2] == ["mock needed for step call_api", "mock needed for step ping"]
    assert called == []

    mocks = {
        "call_api": {
            "output": {"status": 200, "ok": True, "headers": {}, "body": None, "json": None}
        },
        "acme.ping": {"output": {"ok": True}},
    }
    mocked = check(
        wb,
        doc,
        [
            Case.model_validate(
                {"name": "mocked", "mocks": mocks, "expect": {"status": "succeeded"}}
            )
        ],
    )
    assert mocked.passed, mocked.results[0].failures
    assert called == []
