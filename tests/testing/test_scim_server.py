"""wfbench.testing.scim_server: a real SCIM server on loopback, seeded and read over plain
HTTP (the session's one: starting and stopping it is what the fixture does)."""

from __future__ import annotations

import socket
import uuid
from typing import Any

import pytest

from wfbench.errors import ScimServerError
from wfbench.testing.scim_server import LocalScimServer, free_port


def test_a_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_seeded_people_and_groups_are_read_back(scim_server: LocalScimServer) -> None:
    tag = uuid.uuid4().hex[:10]
    boss = scim_server.add_user(f"boss.{tag}@example.com", "B", "O", active=False)
    worker = scim_server.add_user(
        f"w.{tag}@example.com", "W", "K", manager_id=boss["id"], employee_number="7"
    )
    group = scim_server.add_group(f"g-{tag}", [worker["id"]])
    users = {u["id"]: u for u in scim_server.resources("Users")}
    assert users[boss["id"]]["active"] is False
    enterprise = users[worker["id"]]["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
    assert enterprise["manager"]["value"] == boss["id"] and enterprise["employeeNumber"] == "7"
    groups = {g["id"]: g for g in scim_server.resources("Groups")}
    assert [m["value"] for m in groups[group["id"]]["members"]] == [worker["id"]]
    ids = list(users)
    assert ids == sorted(ids)  # sorted by id, every page read


def test_a_refused_seed_says_so(scim_server: LocalScimServer) -> None:
    email = f"twice.{uuid.uuid4().hex[:10]}@example.com"
    scim_server.add_user(email, "T", "W")
    with pytest.raises(ScimServerError, match=r"scim2-server refused a seed \(409\)"):
        scim_server.add_user(email, "T", "W")


def test_stopping_a_server_never_started_is_harmless() -> None:
    server: Any = LocalScimServer(token="-starts-with-a-dash")
    assert server.url == f"http://127.0.0.1:{server.port}/v2" and server.process is None
    server.stop()
    server.kill()
