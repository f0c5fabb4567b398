"""wfbench.directory.scim: a SCIM service's users and groups as a run's directory, with the
embedded directory's records and change lines (on the session's SCIM server)."""

from __future__ import annotations

from typing import Any

import pytest

from wfbench.directory.scim import ScimDirectory
from wfbench.directory.targets import ScimTarget
from wfbench.errors import ActionError


@pytest.fixture
def scim(scim_target: ScimTarget) -> Any:
    directory = ScimDirectory(scim_target, run_id="run-1")
    yield directory
    directory.close()


def test_a_user_is_read_as_a_user_record(scim: ScimDirectory, scim_people: dict[str, Any]) -> None:
    tag, alice = scim_people["tag"], scim_people["alice"]
    user = scim.get_user(email=f"ALICE.{tag}@example.com ")
    assert user.id == alice["id"] and user.email == f"alice.{tag}@example.com"
    assert (user.first_name, user.last_name, user.employee_type) == (
        "Alice",
        "Liddell",
        "contractor",
    )
    assert user.manager_email == f"boss.{tag}@example.com"  # the manager's id, as an email
    assert [g.name for g in user.groups] == [f"eng-{tag}", f"ops-{tag}"]
    assert (user.status, user.mfa_enrolled) == ("active", False)
    assert scim.get_user(id=alice["id"]) == user
    with pytest.raises(ActionError, match=r"no user with email 'nobody@example\.com'"):
        scim.get_user(email="nobody@example.com")


def test_suspend_and_activate_say_what_changed(
    scim: ScimDirectory, scim_people: dict[str, Any]
) -> None:
    bob, tag = scim_people["bob"], scim_people["tag"]
    assert scim.suspend_user(bob["id"]).status == "suspended"
    assert scim.suspend_user(bob["id"]).status == "suspended"  # already: no change
    assert scim.activate_user(bob["id"]).status == "active"
    assert scim.changes == [
        f"suspended bob.{tag}@example.com (active → suspended)",
        f"activated bob.{tag}@example.com (suspended → active)",
    ]


def test_members_come_and_go_and_a_group_search_finds_them(
    scim: ScimDirectory, scim_people: dict[str, Any]
) -> None:
    ops, bob, tag = scim_people["ops"], scim_people["bob"], scim_people["tag"]
    assert scim.add_user_to_group(ops["id"], bob["id"]).changed is True
    assert scim.add_user_to_group(ops["id"], bob["id"]).changed is False
    found = scim.search_users(group=f"ops-{tag}")
    assert sorted(u.email for u in found.users) == [
        f"alice.{tag}@example.com",
        f"bob.{tag}@example.com",
    ]
    assert scim.remove_user_from_group(ops["id"], bob["id"]).changed is True
    assert [u.first_name for u in scim.list_members(ops["id"]).users] == ["Alice"]
    assert scim.get_group(name=f"ops-{tag}").member_count == 1
    with pytest.raises(ActionError, match="no group named 'nope-"):
        scim.search_users(group=f"nope-{tag}")


def test_a_user_is_created_under_a_manager_and_deleted(
    scim: ScimDirectory, scim_people: dict[str, Any]
) -> None:
    tag = scim_people["tag"]
    made = scim.create_user(
        "Grace",
        "Hopper",
        f"grace.{tag}@example.com",
        "eng",
        manager_email=f"boss.{tag}@example.com",
    )
    assert made.manager_email == f"boss.{tag}@example.com" and made.department == "eng"
    assert scim.delete_user(made.id).deleted is True
    with pytest.raises(ActionError, match=f"no user with id '{made.id}'"):
        scim.get_user(id=made.id)
    assert scim.changes[0] == f"created user grace.{tag}@example.com ({made.id})"
