"""At-most-once on the network (PRODUCT.md §3, failure model), through a loopback proxy in
front of the real server: an unknown outcome is never sent again, 429/503 wait for
``Retry-After`` within the step's timeout, a wrong token names the connector, 404 and 409
are ordinary failures, and writes carry ``If-Match``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from wfbench.actions.context import Connector
from wfbench.testing.scim_server import LocalScimServer
from wfbench.workbench import Workbench

from .conftest import FIXTURES, TOKEN_ENV
from .proxy import Fault, Proxy, proxy_to


@pytest.fixture
def proxy(server: LocalScimServer) -> Iterator[Proxy]:
    with proxy_to(server.url) as running:
        yield running


@pytest.fixture
def via(wb: Workbench, proxy: Proxy) -> Workbench:
    """The workbench with connector ``edge``: the same server, through the proxy."""
    wb.add_connector(
        Connector(name="edge", kind="scim", base_url=proxy.url, auth="bearer", token_env=TOKEN_ENV)
    )
    return wb


def _offboard(wb: Workbench, name: str, **suspend: Any) -> str:
    doc = json.loads((FIXTURES / "offboard_user.json").read_text())
    doc["name"] = name
    doc["steps"][1].update(suspend)
    wb.save(doc)
    return name


def _active(server: LocalScimServer, user_id: str) -> bool:
    return bool(server.http.get(f"/Users/{user_id}").json()["active"])


def test_a_write_whose_answer_is_lost_is_not_sent_again(
    via: Workbench, server: LocalScimServer, proxy: Proxy, people: dict[str, Any]
) -> None:
    """The server is killed (by PID) once it has the PATCH; the connection closes unanswered."""
    name = _offboard(via, "Offboard with retries", retry={"max_attempts": 3, "backoff_s": 0})
    proxy.faults.append(Fault("PATCH", "/Users/", drop=True, on_drop=server.kill))
    record = via.run(name, {"email": "alice@example.com"}, directory="edge")
    assert record.status == "failed"
    suspend = next(s for s in record.steps if s.node == "suspend")
    assert suspend.status == "failed"
    assert suspend.error is not None
    assert "the effect may or may not have happened" in suspend.error
    assert "not sent again" in suspend.error
    assert proxy.received("PATCH") == 1  # three attempts allowed, one made
    assert proxy.forwarded("PATCH") == 1
    assert not [s for s in record.steps if s.node == "leave"]  # the run stopped there


def test_a_429_waits_for_retry_after_then_goes_through(
    via: Workbench, server: LocalScimServer, proxy: Proxy, people: dict[str, Any]
) -> None:
    proxy.faults.append(Fault("PATCH", "/Users/", status=429, retry_after="1"))
    record = via.run("Offboard user", {"email": "alice@example.com"}, directory="edge")
    assert record.status == "succeeded", record.error
    assert proxy.received("PATCH", "/Users/") == 2
    assert proxy.forwarded("PATCH", "/Users/") == 1
    assert _active(server, people["alice"]["id"]) is False


def test_a_retry_after_past_the_step_timeout_fails_the_step(
    via: Workbench, server: LocalScimServer, proxy: Proxy, people: dict[str, Any]
) -> None:
    name = _offboard(via, "Offboard in a hurry", timeout_s=2)
    proxy.faults.append(Fault("PATCH", "/Users/", status=503, retry_after="30"))
    record = via.run(name, {"email": "alice@example.com"}, directory="edge")
    suspend = next(s for s in record.steps if s.node == "suspend")
    assert suspend.status == "failed"
    assert "refused to suspend alice@example.com (503)" in (suspend.error or "")
    assert proxy.forwarded("PATCH") == 0
    assert _active(server, people["alice"]["id"]) is True


def test_a_wrong_token_names_the_connector_never_the_token(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "not-the-token-4242")
    record = wb.run("Offboard user", {"email": "alice@example.com"}, directory="corp")
    assert record.status == "failed"
    error = record.steps[0].error or ""
    assert "SCIM connector 'corp'" in error and "refused the credentials (401)" in error
    assert f"${TOKEN_ENV}" in error
    assert "not-the-token-4242" not in json.dumps(wb.runs.get(record.run_id), default=str)
    assert _active(server, people["alice"]["id"]) is True


def test_not_found_and_taken_are_ordinary_failures(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any]
) -> None:
    missing = wb.run("Offboard user", {"email": "nobody@example.com"}, directory="corp")
    assert missing.steps[0].error == "no user with email 'nobody@example.com'"
    wb.save(
        {
            "format": "wfbench/v1",
            "name": "Hire",
            "type": "manual",
            "run_as": "manager",
            "steps": [
                {
                    "id": "create",
                    "kind": "action",
                    "action": "users.create",
                    "with": {
                        "first_name": "Alice",
                        "last_name": "Again",
                        "email": "alice@example.com",
                        "department": "eng",
                    },
                }
            ],
        }
    )
    taken = wb.run("Hire", {}, directory="corp")
    assert taken.status == "failed"
    assert "refused to create user alice@example.com (409)" in (taken.steps[0].error or "")
    assert len(server.resources("Users")) == 3


def test_writes_carry_if_match_with_the_version_read(
    via: Workbench, server: LocalScimServer, proxy: Proxy, people: dict[str, Any]
) -> None:
    record = via.run("Offboard user", {"email": "alice@example.com"}, directory="edge")
    assert record.status == "succeeded", record.error
    patches = [s for s in proxy.seen if s.method == "PATCH"]
    assert len(patches) == 3  # the user, then each of their two groups
    for seen in patches:
        assert seen.headers.get("if-match", "").startswith('W/"'), seen
    user_patch = next(s for s in patches if "/Users/" in s.path)
    assert user_patch.headers["if-match"] == people["alice"]["meta"]["version"]


def test_a_membership_change_that_met_a_concurrent_one_reads_again_and_goes_through(
    via: Workbench, server: LocalScimServer, proxy: Proxy, people: dict[str, Any]
) -> None:
    """A 412 says the server did nothing: a membership change by value is sent again."""
    proxy.faults.append(Fault("PATCH", "/Groups/", status=412))
    record = via.run("Offboard user", {"email": "alice@example.com"}, directory="edge")
    assert record.status == "succeeded", record.error
    assert proxy.received("PATCH", "/Groups/") == 3 and proxy.forwarded("PATCH", "/Groups/") == 2
    groups = server.resources("Groups")
    assert all(
        people["alice"]["id"] not in {m["value"] for m in g.get("members", [])} for g in groups
    )
