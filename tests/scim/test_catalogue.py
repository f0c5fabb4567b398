"""Every users and groups action on a real SCIM server, in one run, checked over plain
HTTP; and a batch of 40 offboardings at concurrency 8 with each effect exactly once
(``bench/scim.py`` runs the same at scale)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from wfbench.actions.context import Connector
from wfbench.testing.scim_server import LocalScimServer
from wfbench.workbench import Workbench

from .conftest import TOKEN_ENV
from .proxy import Proxy, proxy_to


def _step(id: str, action: str, **with_: Any) -> dict[str, Any]:
    return {"id": id, "kind": "action", "action": action, "with": with_}


EVERYTHING = {
    "format": "wfbench/v1",
    "name": "Everything",
    "type": "manual",
    "run_as": "administrator",
    "steps": [
        _step(
            "create",
            "users.create",
            first_name="Grace",
            last_name="Hopper",
            email="grace@example.com",
            department="navy",
            employee_type="contractor",
            manager_email="boss@example.com",
        ),
        _step("get", "users.get", email="GRACE@example.com"),
        _step("search", "users.search", employee_type="contractor", limit=10),
        _step("update", "users.update", user_id="{{ steps.create.output.id }}", last_name="H."),
        _step("suspend", "users.suspend", user_id="{{ steps.create.output.id }}"),
        _step("activate", "users.activate", user_id="{{ steps.create.output.id }}"),
        _step("group", "groups.create", name="admirals"),
        _step("find_group", "groups.get", name="ADMIRALS"),
        _step(
            "join",
            "groups.add_user",
            group_id="{{ steps.group.output.id }}",
            user_id="{{ steps.create.output.id }}",
        ),
        _step("members", "groups.list_members", group_id="{{ steps.group.output.id }}"),
        _step(
            "leave",
            "groups.remove_user",
            group_id="{{ steps.group.output.id }}",
            user_id="{{ steps.create.output.id }}",
        ),
        _step("delete", "users.delete", user_id="{{ steps.create.output.id }}"),
    ],
}


def test_every_users_and_groups_action_acts_on_the_server(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any]
) -> None:
    wb.save(EVERYTHING)
    record = wb.run("Everything", {}, directory="corp")
    assert record.status == "succeeded", record.error
    out = {s.node: s.output for s in record.steps}
    grace = out["create"]
    assert grace is not None
    assert grace["manager_email"] == "boss@example.com"
    assert grace["employee_type"] == "contractor"
    assert out["get"] == grace
    assert {u["email"] for u in out["search"]["users"]} == {
        "alice@example.com",
        "grace@example.com",
    }
    assert out["update"]["last_name"] == "H."
    assert out["suspend"]["status"] == "suspended" and out["activate"]["status"] == "active"
    assert (
        out["find_group"]
        == out["group"]
        == {
            "id": out["group"]["id"],
            "name": "admirals",
            "description": "",
            "member_count": 0,
        }
    )
    assert [u["email"] for u in out["members"]["users"]] == ["grace@example.com"]
    assert out["join"]["changed"] and out["leave"]["changed"]
    assert out["delete"] == {"id": grace["id"], "deleted": True}
    # behind wfbench's back: the group is there, empty; grace is gone
    groups = {g["displayName"]: g for g in server.resources("Groups")}
    assert groups["admirals"].get("members", []) == []
    assert server.http.get(f"/Users/{grace['id']}").status_code == 404
    assert [s.change for s in record.steps if s.change] == [
        f"created user grace@example.com ({grace['id']})",
        "updated grace@example.com: last_name Hopper → H.",
        "suspended grace@example.com (active → suspended)",
        "activated grace@example.com (suspended → active)",
        f"created group admirals ({out['group']['id']})",
        "added grace@example.com to group admirals",
        "removed grace@example.com from group admirals",
        f"deleted user grace@example.com ({grace['id']}; left 0 groups)",
    ]


@pytest.fixture
def proxy(server: LocalScimServer) -> Iterator[Proxy]:
    with proxy_to(server.url) as running:
        yield running


def test_a_batch_of_offboardings_at_concurrency_8_acts_once_each(
    wb: Workbench, server: LocalScimServer, proxy: Proxy
) -> None:
    n = 40
    ops = [
        {
            "method": "POST",
            "path": "/Users",
            "bulkId": f"u{i}",
            "data": {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": f"leaver{i:03d}@example.com",
                "emails": [{"value": f"leaver{i:03d}@example.com", "primary": True}],
                "active": True,
            },
        }
        for i in range(n)
    ]
    answer = server.http.post(
        "/Bulk",
        json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops},
    )
    assert answer.status_code == 200, answer.text
    ids = [u["id"] for u in server.resources("Users")]
    for name, half in (("even", ids[::2]), ("all", ids)):
        server.add_group(name, half)
    wb.add_connector(
        Connector(name="edge", kind="scim", base_url=proxy.url, auth="bearer", token_env=TOKEN_ENV)
    )
    inputs = [{"email": f"leaver{i:03d}@example.com"} for i in range(n)]
    frame = wb.run_many("Offboard user", inputs, concurrency=8, directory="edge", progress=False)
    failed = frame.loc[frame["status"] != "succeeded", "error"].tolist()
    assert Counter(frame["status"]) == {"succeeded": n}, failed
    assert all(u["active"] is False for u in server.resources("Users"))
    assert all(not g.get("members") for g in server.resources("Groups"))
    user_patches = Counter(
        s.path for s in proxy.seen if s.method == "PATCH" and "/Users/" in s.path
    )
    assert len(user_patches) == n and set(user_patches.values()) == {1}
    group_patches = [s for s in proxy.seen if s.method == "PATCH" and "/Groups/" in s.path]
    assert len(group_patches) == n + n // 2  # every user left "all", half left "even"
    runs = wb.runs(batch=str(frame["batch_id"].iloc[0]))
    assert set(runs["directory"]) == {"edge"} and len(runs) == n
