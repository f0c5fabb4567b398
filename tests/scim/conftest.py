"""A real ``scim2-server`` on loopback per test (stopped by PID), seeded over plain HTTP,
and a workbench whose connector ``corp`` names it (token in ``$CORP_SCIM_TOKEN``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wfbench.actions.context import Connector
from wfbench.testing.scim_server import LocalScimServer
from wfbench.workbench import Workbench

FIXTURES = Path(__file__).parent.parent / "fixtures"
TOKEN_ENV = "CORP_SCIM_TOKEN"


@pytest.fixture
def server() -> Iterator[LocalScimServer]:
    with LocalScimServer() as running:
        yield running


@pytest.fixture
def people(server: LocalScimServer) -> dict[str, Any]:
    """boss, alice (a contractor managed by boss, in eng and ops), bob; groups eng, ops."""
    boss = server.add_user("boss@example.com", "Barbara", "Oss", department="management")
    alice = server.add_user(
        "alice@example.com", "Alice", "Liddell", user_type="Contractor", manager_id=boss["id"]
    )
    bob = server.add_user("bob@example.com", "Bob", "Builder", employee_number="42")
    eng = server.add_group("eng", [alice["id"], bob["id"]])
    ops = server.add_group("ops", [alice["id"]])
    return {"boss": boss, "alice": alice, "bob": bob, "eng": eng, "ops": ops}


@pytest.fixture
def wb(
    tmp_path: Path, server: LocalScimServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workbench]:
    monkeypatch.setenv(TOKEN_ENV, server.token)
    bench = Workbench(tmp_path / "store.duckdb")
    bench.init(demo=True)
    bench.add_connector(
        Connector(name="corp", kind="scim", base_url=server.url, auth="bearer", token_env=TOKEN_ENV)
    )
    bench.save(json.loads((FIXTURES / "offboard_user.json").read_text()))
    yield bench
