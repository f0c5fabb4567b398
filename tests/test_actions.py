"""The action catalogue's declarations (wfbench.actions)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from wfbench.actions import ActionRegistry, builtin_registry
from wfbench.actions.records import Device, Group, GroupRef, User
from wfbench.roles import PERMISSIONS

# name: (category, permissions, side effects, required params, optional params, output fields)
CATALOGUE: dict[str, tuple[str, set[str], bool, set[str], set[str], set[str]]] = {}

USER_FIELDS = {
    "id",
    "email",
    "first_name",
    "last_name",
    "department",
    "employee_type",
    "manager_email",
    "status",
    "mfa_enrolled",
    "groups",
    "created_at",
}
GROUP_FIELDS = {"id", "name", "description", "member_count"}
DEVICE_FIELDS = {"id", "name", "os", "owner_id", "status", "last_seen"}
USER_LIST = {"users", "count"}


def _add(
    name: str,
    category: str,
    permissions: set[str],
    side_effects: bool,
    required: set[str],
    optional: set[str],
    output: set[str],
) -> None:
    CATALOGUE[name] = (category, permissions, side_effects, required, optional, output)


_add("users.get", "users", {"users:read"}, False, set(), {"id", "email"}, USER_FIELDS)
_add(
    "users.search",
    "users",
    {"users:read"},
    False,
    set(),
    {"department", "employee_type", "status", "group", "limit"},
    USER_LIST,
)
_add(
    "users.create",
    "users",
    {"users:write"},
    True,
    {"first_name", "last_name", "email", "department"},
    {"employee_type", "manager_email"},
    USER_FIELDS,
)
_add(
    "users.update",
    "users",
    {"users:write"},
    True,
    {"user_id"},
    {"first_name", "last_name", "email", "department", "employee_type", "manager_email"},
    USER_FIELDS,
)
for _verb in ("suspend", "activate", "reset_mfa"):
    _add(f"users.{_verb}", "users", {"users:write"}, True, {"user_id"}, set(), USER_FIELDS)
_add("users.delete", "users", {"users:delete"}, True, {"user_id"}, set(), {"id", "deleted"})
_add("groups.get", "groups", {"groups:read"}, False, set(), {"id", "name"}, GROUP_FIELDS)
_add("groups.create", "groups", {"groups:write"}, True, {"name"}, {"description"}, GROUP_FIELDS)
_add(
    "groups.list_members",
    "groups",
    {"groups:read", "users:read"},
    False,
    {"group_id"},
    set(),
    USER_LIST,
)
for _verb in ("add_user", "remove_user"):
    _add(
        f"groups.{_verb}",
        "groups",
        {"groups:write"},
        True,
        {"group_id", "user_id"},
        set(),
        {"group_id", "user_id", "changed"},
    )
_add(
    "devices.list_for_user",
    "devices",
    {"devices:read"},
    False,
    {"user_id"},
    set(),
    {"devices", "count"},
)
for _verb in ("lock", "restart"):
    _add(
        f"devices.{_verb}", "devices", {"devices:write"}, True, {"device_id"}, set(), DEVICE_FIELDS
    )
_add("devices.erase", "devices", {"devices:erase"}, True, {"device_id"}, set(), DEVICE_FIELDS)
_add(
    "commands.run",
    "commands",
    {"commands:run"},
    True,
    {"device_id", "command"},
    set(),
    {"command_id", "device_id", "command", "status", "exit_code", "output"},
)
for _verb in ("bind_user", "unbind_user"):
    _add(
        f"applications.{_verb}",
        "applications",
        {"applications:write"},
        True,
        {"application_id", "user_id"},
        set(),
        {"application_id", "user_id", "changed"},
    )
_add(
    "notify.email",
    "notifications",
    {"notifications:send"},
    True,
    {"to", "subject", "body"},
    set(),
    {"message_id", "to", "subject"},
)
_add(
    "http.request",
    "http",
    {"http:call"},
    True,
    {"connector"},
    {"method", "path", "query", "headers", "json"},
    {"status_code", "headers", "json", "text"},
)
_add("core.set", "core", set(), False, {"value"}, set(), {"value"})
_add("core.log", "core", set(), False, {"message"}, set(), {"message"})
_add("core.fail", "core", set(), False, {"message"}, set(), set())
_add("core.wait", "core", set(), False, {"seconds"}, set(), {"seconds"})


def _fields(model: type[BaseModel]) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


@pytest.fixture
def registry() -> ActionRegistry:
    return builtin_registry()


def test_every_builtin_is_registered_and_nothing_else(registry: ActionRegistry) -> None:
    assert registry.names() == sorted(CATALOGUE)
    assert len(registry) == len(CATALOGUE) == 26
    assert [s.name for s in registry] == sorted(CATALOGUE)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_builtin_declaration(registry: ActionRegistry, name: str) -> None:
    category, permissions, side_effects, required, optional, output = CATALOGUE[name]
    spec = registry.get(name)
    assert spec.name == name
    assert spec.category == category
    assert spec.permissions == permissions
    assert isinstance(spec.permissions, frozenset)
    assert spec.side_effects is side_effects
    assert callable(spec.handler)
    assert spec.description.endswith(".")
    assert set(spec.required_parameters) == required
    assert set(spec.parameters) == required | optional
    assert set(spec.output_fields) == output
    assert _fields(spec.output_model) == output


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_builtin_inputs_refuse_unknown_and_demand_required(
    registry: ActionRegistry, name: str
) -> None:
    spec = registry.get(name)
    with pytest.raises(ValidationError) as caught:
        spec.input_model.model_validate({"no_such_parameter": 1})
    errors = caught.value.errors()
    assert any(
        e["type"] == "extra_forbidden" and e["loc"] == ("no_such_parameter",) for e in errors
    )
    missing = {e["loc"][0] for e in errors if e["type"] == "missing"}
    assert missing == set(CATALOGUE[name][3])


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_field_is_documented_and_schemas_build(registry: ActionRegistry, name: str) -> None:
    spec = registry.get(name)
    for model in (spec.input_model, spec.output_model):
        for field_name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{field_name} has no docstring"
        schema = model.model_json_schema(by_alias=True)
        assert schema["type"] == "object"
        assert set(schema.get("properties", {})) == _fields(model)


def test_specs_are_hashable(registry: ActionRegistry) -> None:
    # validation caches per spec, so specs must stay hashable.
    assert len({hash(s) for s in registry}) == len(registry)


def test_record_fields_match_the_product_brief() -> None:
    assert list(User.model_fields) == [
        "id",
        "email",
        "first_name",
        "last_name",
        "department",
        "employee_type",
        "manager_email",
        "status",
        "mfa_enrolled",
        "groups",
        "created_at",
    ]
    assert list(Group.model_fields) == ["id", "name", "description", "member_count"]
    assert list(Device.model_fields) == ["id", "name", "os", "owner_id", "status", "last_seen"]
    assert list(GroupRef.model_fields) == ["id", "name"]


def _user(**changes: Any) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": "u1",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "department": "engineering",
        "employee_type": "contractor",
        "manager_email": None,
        "status": "active",
        "mfa_enrolled": True,
        "groups": [{"id": "g1", "name": "vpn-users"}],
        "created_at": "2024-01-02T03:04:05Z",
    }
    user.update(changes)
    return user


def test_records_validate_their_enums_and_refuse_extra_keys() -> None:
    user = User.model_validate(_user())
    assert user.groups == [GroupRef(id="g1", name="vpn-users")]
    assert User.model_validate(_user()).model_dump() == _user()
    for bad in ({"employee_type": "intern"}, {"status": "gone"}, {"nickname": "A"}):
        with pytest.raises(ValidationError):
            User.model_validate(_user(**bad))
    device = {"id": "d1", "name": "mac-1", "os": "macos", "owner_id": None}
    device |= {"status": "locked", "last_seen": None}
    assert Device.model_validate(device).os == "macos"
    with pytest.raises(ValidationError):
        Device.model_validate({**device, "os": "beos"})
    with pytest.raises(ValidationError):
        Device.model_validate({**device, "status": "lost"})


def test_lookups_need_one_key(registry: ActionRegistry) -> None:
    users_get = registry.get("users.get")
    groups_get = registry.get("groups.get")
    assert users_get.require_one_of == ("id", "email")
    assert groups_get.require_one_of == ("id", "name")
    assert users_get.input_model.model_validate({"email": "a@example.com"})
    assert groups_get.input_model.model_validate({"name": "vpn-users"})
    with pytest.raises(ValidationError, match="give the user's id or email"):
        users_get.input_model.model_validate({})
    with pytest.raises(ValidationError, match="give the group's id or name"):
        groups_get.input_model.model_validate({"id": None})


def test_parameter_defaults_and_bounds(registry: ActionRegistry) -> None:
    search = registry.get("users.search").input_model
    assert search.model_validate({}).model_dump() == {
        "department": None,
        "employee_type": None,
        "status": None,
        "group": None,
        "limit": 50,
    }
    for limit in (0, 1001):
        with pytest.raises(ValidationError):
            search.model_validate({"limit": limit})
    with pytest.raises(ValidationError):
        search.model_validate({"employee_type": "intern"})
    create = registry.get("users.create").input_model
    made = create.model_validate(
        {"first_name": "A", "last_name": "B", "email": "a@b.c", "department": "it"}
    )
    assert made.model_dump()["employee_type"] == "employee"
    assert made.model_dump()["manager_email"] is None
    group = registry.get("groups.create").input_model.model_validate({"name": "ops"})
    assert group.model_dump() == {"name": "ops", "description": ""}
    wait = registry.get("core.wait").input_model
    assert wait.model_validate({"seconds": 0}).model_dump() == {"seconds": 0.0}
    for seconds in (-1, 3601):
        with pytest.raises(ValidationError):
            wait.model_validate({"seconds": seconds})
    core_set = registry.get("core.set").input_model
    assert core_set.model_validate({"value": None}).model_dump() == {"value": None}
    assert core_set.model_validate({"value": [1, {"a": 2}]}).model_dump() == {
        "value": [1, {"a": 2}]
    }


def test_categories_in_catalogue_order(registry: ActionRegistry) -> None:
    categories = registry.categories()
    assert list(categories) == [
        "users",
        "groups",
        "devices",
        "applications",
        "commands",
        "notifications",
        "http",
        "core",
    ]
    assert [s.name for s in categories["core"]] == [
        "core.fail",
        "core.log",
        "core.set",
        "core.wait",
    ]
    assert [s.name for s in categories["notifications"]] == ["notify.email"]


def test_permissions_are_all_known(registry: ActionRegistry) -> None:
    for spec in registry:
        assert spec.permissions <= set(PERMISSIONS)
