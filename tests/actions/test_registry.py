"""wfbench.actions.registry: registering, finding and listing actions."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from wfbench.actions import ActionRegistry, ActionSpec, builtin_registry
from wfbench.errors import NotFound, WfbenchError


@pytest.fixture
def registry() -> ActionRegistry:
    return builtin_registry()


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
