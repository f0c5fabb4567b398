"""Permissions, built-in roles, custom roles and the narrowest role (wfbench.roles)."""

from __future__ import annotations

import itertools

import pytest

from wfbench.errors import NotFound, WfbenchError
from wfbench.roles import (
    BUILTIN_ROLES,
    PERMISSIONS,
    Role,
    RoleRegistry,
    expand_permissions,
    missing_permissions,
)

READS = {"users:read", "groups:read", "devices:read", "applications:read"}
HELP_DESK = READS | {"users:write", "notifications:send"}
MANAGER = HELP_DESK | {"groups:write", "devices:write", "applications:write"}
ALL = set(PERMISSIONS)
BILLING = {"billing:read", "billing:write"}


def test_permissions_are_the_known_list_in_a_stable_order() -> None:
    assert PERMISSIONS == (
        "users:read",
        "users:write",
        "users:delete",
        "groups:read",
        "groups:write",
        "devices:read",
        "devices:write",
        "devices:erase",
        "applications:read",
        "applications:write",
        "commands:run",
        "notifications:send",
        "http:call",
        "billing:read",
        "billing:write",
    )


def test_builtin_roles_in_order_with_exact_permissions() -> None:
    by_name = {r.name: set(r.permissions) for r in BUILTIN_ROLES}
    assert [r.name for r in BUILTIN_ROLES] == [
        "read_only",
        "help_desk",
        "command_runner",
        "manager",
        "administrator",
        "administrator_with_billing",
    ]
    assert by_name == {
        "read_only": READS,
        "help_desk": HELP_DESK,
        "command_runner": {"devices:read", "commands:run"},
        "manager": MANAGER,
        "administrator": ALL - BILLING,
        "administrator_with_billing": ALL,
    }
    assert all(r.builtin for r in BUILTIN_ROLES)
    assert all(r.description for r in BUILTIN_ROLES)
    assert all(isinstance(r.permissions, frozenset) for r in BUILTIN_ROLES)


def test_builtin_roles_form_a_chain() -> None:
    roles = RoleRegistry()
    chain = ["read_only", "help_desk", "manager", "administrator", "administrator_with_billing"]
    for narrower, broader in itertools.pairwise(chain):
        assert roles.get(narrower).permissions < roles.get(broader).permissions


@pytest.mark.parametrize(
    ("required", "expected"),
    [
        ({"users:read"}, "read_only"),
        ({"users:read", "groups:read"}, "read_only"),
        ({"users:write", "groups:write", "notifications:send"}, "manager"),
        ({"users:write", "notifications:send"}, "help_desk"),
        ({"commands:run"}, "command_runner"),
        ({"devices:read"}, "read_only"),  # reads only: never command_runner, which runs commands
        ({"devices:read", "users:read"}, "read_only"),
        ({"devices:read", "commands:run"}, "command_runner"),
        ({"commands:run", "users:read"}, "administrator"),
        ({"devices:erase"}, "administrator"),
        ({"http:call"}, "administrator"),
        ({"billing:read"}, "administrator_with_billing"),
        (set(), "read_only"),
    ],
)
def test_narrowest(required: set[str], expected: str) -> None:
    role = RoleRegistry().narrowest(required)
    assert role is not None
    assert role.name == expected


def test_narrowest_prefers_fewest_changing_permissions_over_fewest_in_all() -> None:
    roles = RoleRegistry()
    runner, reader = roles.get("command_runner"), roles.get("read_only")
    assert len(runner.permissions) < len(reader.permissions)  # the old rule picked the runner
    assert reader.covers({"devices:read"}) and runner.covers({"devices:read"})
    narrowest = roles.narrowest({"devices:read"})
    assert narrowest is not None and narrowest.name == "read_only"


@pytest.mark.parametrize(
    ("required", "why"),
    [
        ({"users:read"}, "covers users:read; nothing else that writes"),
        (set(), "the workflow needs no permission; nothing else that writes"),
        ({"commands:run"}, "covers commands:run; nothing else that writes"),
        (
            {"users:write", "notifications:send"},
            "covers users:write, notifications:send; nothing else that writes",
        ),
        (
            {"users:read", "groups:write"},
            "covers users:read, groups:write; also allows "
            "users:write, devices:write, applications:write, notifications:send",
        ),
        ({"no:such"}, "no built-in role covers every action"),
    ],
)
def test_why_narrowest_says_it_in_words(required: set[str], why: str) -> None:
    assert RoleRegistry().why_narrowest(required) == why


def test_narrowest_is_none_when_nothing_covers_and_ignores_custom_roles() -> None:
    roles = RoleRegistry()
    assert roles.narrowest({"no:such"}) is None
    roles.define("erasers", ["devices:erase"])
    role = roles.narrowest({"devices:erase"})
    assert role is not None
    assert role.name == "administrator"


def test_registry_lookup_and_iteration() -> None:
    roles = RoleRegistry()
    assert roles.names() == [r.name for r in BUILTIN_ROLES]
    assert list(roles) == list(BUILTIN_ROLES)
    assert len(roles) == 6
    assert "manager" in roles
    assert "nobody" not in roles
    assert 3 not in roles
    assert roles.get("manager") is BUILTIN_ROLES[3]


def test_get_unknown_role_lists_the_known_names() -> None:
    with pytest.raises(NotFound) as caught:
        RoleRegistry().get("admin")
    message = str(caught.value)
    assert "'admin'" in message
    assert "Did you mean administrator" in message
    for role in BUILTIN_ROLES:
        assert role.name in message


def test_define_custom_role_with_wildcards() -> None:
    roles = RoleRegistry()
    role = roles.define("user_admin", ["users:*", "groups:read"], "Owns user accounts.")
    assert role == Role(
        "user_admin",
        frozenset({"users:read", "users:write", "users:delete", "groups:read"}),
        "Owns user accounts.",
        builtin=False,
    )
    assert roles.get("user_admin") is role
    assert roles.names()[-1] == "user_admin"
    assert role.sorted_permissions() == ["users:read", "users:write", "users:delete", "groups:read"]
    everything = roles.define("root", ["*"])
    assert everything.permissions == frozenset(PERMISSIONS)
    readers = roles.define("readers", ["*:read"])
    assert readers.permissions == READS | {"billing:read"}


def test_define_accepts_a_single_permission_string() -> None:
    role = RoleRegistry().define("runner", "commands:run")
    assert role.permissions == {"commands:run"}


def test_define_refuses_an_unknown_permission_by_name() -> None:
    roles = RoleRegistry()
    with pytest.raises(WfbenchError) as caught:
        roles.define("ops", ["users:read", "user:write"])
    message = str(caught.value)
    assert "'user:write'" in message
    assert "did you mean users:write" in message
    assert "Known permissions: users:read" in message
    assert "ops" not in roles


@pytest.mark.parametrize("name", ["Ops", "1ops", "ops-team", "", "ops team"])
def test_define_refuses_a_bad_name(name: str) -> None:
    with pytest.raises(WfbenchError, match="is not valid"):
        RoleRegistry().define(name, ["users:read"])


def test_define_refuses_a_taken_name() -> None:
    roles = RoleRegistry()
    with pytest.raises(WfbenchError, match="already exists"):
        roles.define("manager", ["users:read"])
    roles.define("ops", ["users:read"])
    with pytest.raises(WfbenchError, match="'ops' already exists"):
        roles.define("ops", ["users:read"])


def test_define_reports_every_problem_in_one_message() -> None:
    roles = RoleRegistry()
    with pytest.raises(WfbenchError) as caught:
        roles.define("Bad Name", ["users:*", "user:read", "nothing:*"])
    message = str(caught.value)
    assert message.startswith("Cannot define role 'Bad Name': 3 problems:")
    assert "'Bad Name' is not valid" in message
    assert "unknown permission 'user:read'" in message
    assert "unknown permission 'nothing:*'" in message
    assert len(roles) == 6


def test_registries_are_independent() -> None:
    one, two = RoleRegistry(), RoleRegistry()
    one.define("ops", ["users:read"])
    assert "ops" in one
    assert "ops" not in two


def test_registry_refuses_bad_roles_at_construction() -> None:
    with pytest.raises(WfbenchError) as caught:
        RoleRegistry([*BUILTIN_ROLES, Role("read_only", frozenset()), Role("x", frozenset({"y"}))])
    message = str(caught.value)
    assert "'read_only' is given twice" in message
    assert "unknown permission 'y'" in message


def test_expand_permissions() -> None:
    found, unknown = expand_permissions(["devices:*", "http:call", "x:*", "x:*", "nope"])
    assert found == {"devices:read", "devices:write", "devices:erase", "http:call"}
    assert unknown == ["x:*", "nope"]


def test_missing_permissions_in_permission_order() -> None:
    read_only = RoleRegistry().get("read_only")
    required = ["notifications:send", "groups:write", "users:read", "users:write", "groups:write"]
    assert missing_permissions(read_only, required) == [
        "users:write",
        "groups:write",
        "notifications:send",
    ]
    assert missing_permissions(read_only, ["users:read"]) == []
    assert missing_permissions(read_only, []) == []
    assert missing_permissions(read_only, ["zz:top", "billing:read"]) == ["billing:read", "zz:top"]


def test_role_covers() -> None:
    manager = RoleRegistry().get("manager")
    assert manager.covers({"users:write", "groups:write"})
    assert not manager.covers({"devices:erase"})
    assert manager.covers(())
