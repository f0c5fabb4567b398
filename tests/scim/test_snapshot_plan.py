"""A snapshot to prototype on, and a plan before a real run: the server compared before
and after through a plain HTTP client; the token nowhere in what wfbench keeps or says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from wfbench.testing.scim_server import LocalScimServer
from wfbench.workbench import Workbench

from .conftest import TOKEN_ENV


def _state(server: LocalScimServer) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return server.resources("Users"), server.resources("Groups")


def test_a_snapshot_replaces_the_embedded_directory_and_reset_brings_it_back(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any]
) -> None:
    before = _state(server)
    made = wb.snapshot_directory("corp")
    assert made.kind == "snapshot" and made.name == "corp" and made.url == server.url
    assert dict(made.counts) == {"users": 3, "groups": 2, "memberships": 3}
    users = wb.sql(
        "SELECT id, email, employee_type, coalesce(manager_email, '') AS manager_email "
        "FROM users ORDER BY email"
    )
    assert users.to_dict("records") == [
        {
            "id": people["alice"]["id"],
            "email": "alice@example.com",
            "employee_type": "contractor",
            "manager_email": "boss@example.com",
        },
        {
            "id": people["bob"]["id"],
            "email": "bob@example.com",
            "employee_type": "employee",
            "manager_email": "",
        },
        {
            "id": people["boss"]["id"],
            "email": "boss@example.com",
            "employee_type": "employee",
            "manager_email": "",
        },
    ]
    assert wb.sql("SELECT count(*) AS n FROM devices")["n"][0] == 0
    assert wb.directory.source().name == "corp"
    # prototype on it: a real run on the copy changes the copy, never the server
    record = wb.run("Offboard user", {"email": "alice@example.com"})
    assert record.status == "succeeded" and record.directory == "embedded"
    assert wb.sql("SELECT status FROM users WHERE email = 'alice@example.com'")["status"][0] == (
        "suspended"
    )
    assert _state(server) == before
    counts = wb.reset_directory()
    assert counts["users"] > 3
    assert wb.directory.source().kind == "sample"
    assert wb.sql("SELECT count(*) AS n FROM users WHERE email = 'alice@example.com'")["n"][0] == 0


def test_a_dry_run_and_a_plan_leave_the_server_unchanged(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any]
) -> None:
    before = _state(server)
    dry = wb.run("Offboard user", {"email": "alice@example.com"}, dry_run=True, directory="corp")
    assert dry.status == "succeeded", dry.error
    acted = [(s.node, s.status) for s in dry.steps if s.action]
    assert acted == [
        ("user", "succeeded"),
        ("suspend", "simulated"),
        ("leave", "simulated"),
        ("leave", "simulated"),
    ]
    plan = wb.directory.plan("Offboard user", {"email": "alice@example.com"}, directory="corp")
    assert plan.directory == "corp" and plan.url == server.url
    assert plan.changes == [
        "would suspend alice@example.com (active → suspended)",
        "would remove alice@example.com from group eng",
        "would remove alice@example.com from group ops",
    ]
    assert plan.hosts == []
    assert "would suspend alice@example.com" in plan.text()
    assert _state(server) == before


def test_a_plan_over_the_cli_and_the_http_api(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any]
) -> None:
    from fastapi.testclient import TestClient

    from wfbench.api import create_app

    before = _state(server)
    key = wb.access.create_key("ops", "runner")
    with TestClient(create_app(wb)) as client:
        info = wb.workflows.find("Offboard user")
        assert info is not None
        answer = client.post(
            f"/api/v2/workflows/{info.id}/runs?plan=true",
            json={"email": "alice@example.com", "directory": "corp"},
            headers={"x-api-key": key},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["directory"] == "corp" and body["url"] == server.url
        assert body["changes"][0] == "would suspend alice@example.com (active → suspended)"
        assert server.token not in answer.text
    assert _state(server) == before
    db = wb.path
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "wfbench.cli",
            "--db",
            db,
            "run",
            "Offboard user",
            "--input",
            '{"email": "alice@example.com"}',
            "--directory",
            "corp",
            "--plan",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert f"on directory corp ({server.url})" in out.stdout
    assert "would remove alice@example.com from group ops" in out.stdout
    assert _state(server) == before


def test_the_token_is_in_no_record_answer_or_file(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any], tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from wfbench.api import create_app

    token = server.token
    key = wb.access.create_key("ops", "runner")
    info = wb.workflows.find("Offboard user")
    assert info is not None
    answers: list[str] = []
    with TestClient(create_app(wb)) as client:
        for url in (
            f"/api/v2/workflows/{info.id}/runs?plan=true",
            f"/api/v2/workflows/{info.id}/runs?directory=corp",
        ):
            answer = client.post(
                url, json={"email": "alice@example.com"}, headers={"x-api-key": key}
            )
            assert answer.status_code in (200, 201), answer.text
            answers.append(answer.text)
        answers.append(client.get("/api/v2/workflows/runs", headers={"x-api-key": key}).text)
        run_id = json.loads(answers[1])["run_id"]
        answers.append(
            client.get(f"/api/v2/workflows/runs/{run_id}", headers={"x-api-key": key}).text
        )
    assert json.loads(answers[1])["status"] == "succeeded"
    records = [json.dumps(wb.runs.get(r), default=str) for r in wb.runs()["run_id"]]
    exported = wb.runs().to_json(date_format="iso")
    wb.runs.export(tmp_path / "export")
    parquet = b"".join(p.read_bytes() for p in (tmp_path / "export").rglob("*.parquet"))
    assert token.encode() not in parquet
    path = Path(wb.path)
    del wb
    raw = path.read_bytes() + b"".join(p.read_bytes() for p in path.parent.glob("*.wal"))
    for text in [*answers, *records, exported]:
        assert token not in text
    assert token.encode() not in raw
    assert TOKEN_ENV.encode() in raw  # the variable's name is kept: the proof we looked


def test_lists_page_past_the_servers_page(
    server: LocalScimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list reads every page: here pages of 40 (the client's ``PAGE``, 500 in use) over
    130 users, so that the paging is the same as 500 over a server's cap of 1,000 users,
    at a tenth of the cost of creating 1,050 users in the SCIM server."""
    from wfbench.directory import scim_base
    from wfbench.directory.scim_copy import read_copy
    from wfbench.directory.targets import ScimTarget

    n = 130
    monkeypatch.setattr(scim_base, "PAGE", 40)
    ops = [
        {
            "method": "POST",
            "path": "/Users",
            "bulkId": f"u{i}",
            "data": {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": f"user{i:05d}@example.com",
                "emails": [{"value": f"user{i:05d}@example.com", "primary": True}],
            },
        }
        for i in range(n)
    ]
    answer = server.http.post(
        "/Bulk",
        json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops},
    )
    assert answer.status_code == 200, answer.text
    page = server.http.get("/Users", params={"count": 40}).json()
    assert page["itemsPerPage"] == 40 < page["totalResults"] == n  # one page is not all
    monkeypatch.setenv("PAGING_TOKEN", server.token)
    copy = read_copy(ScimTarget("big", server.url, "PAGING_TOKEN"))
    emails = sorted(row[1] for row in copy.users)
    assert len(emails) == n and emails[0] == "user00000@example.com"
    assert emails[-1] == f"user{n - 1:05d}@example.com"
