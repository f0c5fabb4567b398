"""The action catalogue's declarations (wfbench.actions)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from wfbench.actions import ActionRegistry, ActionSpec, builtin_registry
from wfbench.actions.http import HttpRequestParams, HttpResponse
from wfbench.actions.records import Device, Group, GroupRef, User
from wfbench.errors import NotFound, WfbenchError
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


def test_http_request_body_is_called_json() -> None:
    params = HttpRequestParams.model_validate({"connector": "crm", "json": {"a": 1}})
    assert params.json_ == {"a": 1}
    assert params.model_dump() == {
        "connector": "crm",
        "method": "GET",
        "path": "/",
        "query": None,
        "headers": None,
        "json": {"a": 1},
    }
    assert HttpRequestParams(connector="crm", json_=[1]).json_ == [1]
    assert HttpRequestParams.model_fields["json_"].alias == "json"
    schema = HttpRequestParams.model_json_schema(by_alias=True)
    assert "json" in schema["properties"]
    assert schema["properties"]["method"]["enum"] == ["GET", "POST", "PUT", "PATCH", "DELETE"]
    response = HttpResponse.model_validate({"status_code": 200, "headers": {}, "text": "ok"})
    assert response.json_ is None
    assert "json" in response.model_dump()


@pytest.mark.parametrize("path", ["https://evil.example/x", "//evil.example/x", "x", "/a\nb"])
def test_http_path_stays_under_the_connector(path: str) -> None:
    with pytest.raises(ValidationError):
        HttpRequestParams.model_validate({"connector": "crm", "path": path})


def test_http_method_and_query_types() -> None:
    with pytest.raises(ValidationError):
        HttpRequestParams.model_validate({"connector": "crm", "method": "TRACE"})
    params = HttpRequestParams.model_validate(
        {"connector": "crm", "method": "POST", "path": "/v1/x", "query": {"a": 1, "b": "x"}}
    )
    assert params.query == {"a": 1, "b": "x"}


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


def test_builtin_registry_is_fresh_each_time() -> None:
    one = builtin_registry()
    assert one is not builtin_registry()
    one.register(_spec("custom.only_here"))
    assert "custom.only_here" not in builtin_registry()


class Greeting(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


class Greeted(BaseModel):
    text: str


def _spec(name: str, **changes: Any) -> ActionSpec:
    fields: dict[str, Any] = {
        "name": name,
        "category": name.split(".")[0],
        "description": "Say hello.",
        "input_model": Greeting,
        "output_model": Greeted,
        "permissions": frozenset(),
        "side_effects": False,
    }
    fields.update(changes)
    return ActionSpec(**fields)


def test_custom_action_by_decorator_joins_categories_and_copies() -> None:
    base = builtin_registry()
    mine = base.copy()

    @mine.action("crm.greet", input=Greeting, output=Greeted, permissions=["http:call"])
    def greet(params: Greeting) -> Greeted:
        """Greet someone by name.

        More text that is not the description.
        """
        return Greeted(text=f"hello {params.name}")

    assert greet(Greeting(name="Ada")).text == "hello Ada"  # returned unchanged
    spec = mine.get("crm.greet")
    assert spec.category == "crm"
    assert spec.description == "Greet someone by name."
    assert spec.permissions == {"http:call"}
    assert spec.side_effects is True
    assert spec.handler is greet
    assert spec.parameters == ["name"]
    assert list(mine.categories())[-1] == "crm"
    assert [s.name for s in mine.categories()["crm"]] == ["crm.greet"]
    assert "crm.greet" not in base
    assert len(mine) == len(base) + 1

    again = mine.copy()
    assert again.get("crm.greet") is spec
    assert "crm.greet" in again


def test_decorator_overrides_category_description_and_side_effects() -> None:
    reg = ActionRegistry()

    @reg.action(
        "acme.tools.lookup",
        category="acme_tools",
        description="Look something up.",
        input=Greeting,
        output=Greeted,
        side_effects=False,
    )
    def lookup(params: Greeting) -> Greeted:
        return Greeted(text=params.name)

    spec = reg.get("acme.tools.lookup")
    assert (spec.category, spec.description, spec.side_effects) == (
        "acme_tools",
        "Look something up.",
        False,
    )
    assert reg.find("acme.tools.lookup") is spec
    assert reg.find("acme.tools.nothing") is None


def test_get_unknown_action_suggests_and_points_to_the_listing(registry: ActionRegistry) -> None:
    with pytest.raises(NotFound) as caught:
        registry.get("users.make")
    message = str(caught.value)
    assert "'users.make'" in message
    assert "users.get" in message
    assert "wfbench actions" in message
    with pytest.raises(NotFound, match=r"Did you mean groups\.add_user"):
        registry.get("groups.add_users")


def test_duplicate_registration_is_refused(registry: ActionRegistry) -> None:
    with pytest.raises(WfbenchError, match="already registered"):
        registry.register(registry.get("users.get"))

    @registry.action("crm.greet", input=Greeting, output=Greeted)
    def greet(params: Greeting) -> Greeted:
        """Greet."""
        return Greeted(text=params.name)

    with pytest.raises(WfbenchError, match="already registered"):
        registry.action("crm.greet", input=Greeting, output=Greeted)(greet)


@pytest.mark.parametrize("name", ["users", "Users.get", "users.", "users.get-one", "1x.y", ""])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(WfbenchError, match=r"'<category>\.<action>'"):
        ActionRegistry().register(_spec(name, category="x"))


def test_every_problem_is_reported_at_once() -> None:
    spec = _spec(
        "Bad",
        category="Bad Category",
        permissions=frozenset({"users:reed", "root"}),
        input_model=dict,
        require_one_of=("nope",),
    )
    with pytest.raises(WfbenchError) as caught:
        ActionRegistry().register(spec)
    message = str(caught.value)
    assert message.startswith("Cannot register action 'Bad':")
    assert "'<category>.<action>'" in message
    assert "category 'Bad Category'" in message
    assert "unknown permission 'users:reed' (did you mean users:read" in message
    assert "unknown permission 'root'" in message
    assert "Known permissions: users:read" in message
    assert "input_model must be a pydantic BaseModel subclass" in message


def test_require_one_of_must_name_parameters() -> None:
    with pytest.raises(WfbenchError, match="require_one_of names 'nope'"):
        ActionRegistry().register(_spec("x.y", require_one_of=("nope",)))


def test_registry_membership_and_iteration_order() -> None:
    reg = ActionRegistry([_spec("b.two"), _spec("a.one"), _spec("b.one")])
    assert [s.name for s in reg] == ["a.one", "b.one", "b.two"]
    assert "a.one" in reg
    assert 1 not in reg
    assert {c: [s.name for s in v] for c, v in reg.categories().items()} == {
        "a": ["a.one"],
        "b": ["b.one", "b.two"],
    }


def test_the_table_of_built_ins_names_what_each_category_module_declares() -> None:
    """The registry imports a category module on the first look-up of one of its actions,
    finding it through BUILTIN_ACTIONS: the table must match the modules' SPECS."""
    import importlib

    from wfbench.actions.registry import BUILTIN_ACTIONS

    for module, names in BUILTIN_ACTIONS.items():
        specs = importlib.import_module(f"wfbench.actions.{module}").SPECS
        assert sorted(s.name for s in specs) == sorted(names), module


def test_a_lazy_catalogue_answers_as_a_loaded_one() -> None:
    lazy, full = builtin_registry(), builtin_registry()
    full_specs = list(full)  # iterating loads every category
    assert len(lazy) == len(full) == len(full_specs)
    assert lazy.names() == full.names() == [s.name for s in full_specs]
    assert "users.get" in lazy and "users.nope" not in lazy
    assert lazy.find("users.nope") is None
    copy = lazy.copy()
    assert copy.get("groups.get") is full.get("groups.get")
    with pytest.raises(WfbenchError, match="already registered"):
        lazy.register(full.get("http.request"))
    assert list(lazy.categories()) == list(full.categories())
