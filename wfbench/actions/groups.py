"""``groups.*``: look up and create groups, list and change their members."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from wfbench.actions.context import ActionContext
from wfbench.actions.effects import directory_of
from wfbench.actions.records import Group, Membership, Params, UserList
from wfbench.actions.registry import ActionSpec

CATEGORY = "groups"


class GetGroupParams(Params):
    """Which group to look up: by ``id`` or by ``name`` (at least one)."""

    id: str | None = Field(default=None, min_length=1)
    """The group's id."""

    name: str | None = Field(default=None, min_length=1)
    """The group's name."""

    @model_validator(mode="after")
    def _one_key(self) -> Self:
        if self.id is None and self.name is None:
            raise ValueError("give the group's id or name")
        return self


class CreateGroupParams(Params):
    """The new group."""

    name: str = Field(min_length=1, max_length=200)
    """The group's name; must not be taken by another group."""

    description: str = ""
    """What the group is for."""


class GroupIdParams(Params):
    """The group to act on."""

    group_id: str = Field(min_length=1)
    """The group's id."""


class MembershipParams(Params):
    """A group and a user."""

    group_id: str = Field(min_length=1)
    """The group's id."""

    user_id: str = Field(min_length=1)
    """The user's id."""


def _get(params: GetGroupParams, ctx: ActionContext) -> Group:
    with directory_of(ctx) as d:
        return d.get_group(id=params.id, name=params.name)


def _create(params: CreateGroupParams, ctx: ActionContext) -> Group:
    with directory_of(ctx) as d:
        return d.create_group(params.name, params.description)


def _list_members(params: GroupIdParams, ctx: ActionContext) -> UserList:
    with directory_of(ctx) as d:
        return d.list_members(params.group_id)


def _add_user(params: MembershipParams, ctx: ActionContext) -> Membership:
    with directory_of(ctx) as d:
        return d.add_user_to_group(params.group_id, params.user_id)


def _remove_user(params: MembershipParams, ctx: ActionContext) -> Membership:
    with directory_of(ctx) as d:
        return d.remove_user_from_group(params.group_id, params.user_id)


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        name="groups.get",
        category=CATEGORY,
        description="Look up one group by id or name; fails if there is none.",
        input_model=GetGroupParams,
        output_model=Group,
        permissions=frozenset({"groups:read"}),
        side_effects=False,
        handler=_get,
        require_one_of=("id", "name"),
    ),
    ActionSpec(
        name="groups.create",
        category=CATEGORY,
        description="Create a group.",
        input_model=CreateGroupParams,
        output_model=Group,
        permissions=frozenset({"groups:write"}),
        side_effects=True,
        handler=_create,
        callable_in_dry_run=True,
        batched=True,
    ),
    ActionSpec(
        name="groups.list_members",
        category=CATEGORY,
        description="List the users who belong to a group.",
        input_model=GroupIdParams,
        output_model=UserList,
        permissions=frozenset({"groups:read", "users:read"}),
        side_effects=False,
        handler=_list_members,
    ),
    ActionSpec(
        name="groups.add_user",
        category=CATEGORY,
        description="Add a user to a group.",
        input_model=MembershipParams,
        output_model=Membership,
        permissions=frozenset({"groups:write"}),
        side_effects=True,
        handler=_add_user,
        callable_in_dry_run=True,
        batched=True,
    ),
    ActionSpec(
        name="groups.remove_user",
        category=CATEGORY,
        description="Remove a user from a group.",
        input_model=MembershipParams,
        output_model=Membership,
        permissions=frozenset({"groups:write"}),
        side_effects=True,
        handler=_remove_user,
        callable_in_dry_run=True,
        batched=True,
    ),
)
