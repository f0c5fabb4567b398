"""``users.*``: look up, search, create, change and delete directory users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from pydantic import Field, model_validator

from wfbench.actions.context import ActionContext
from wfbench.actions.effects import directory_of
from wfbench.actions.records import (
    Deleted,
    EmployeeType,
    Output,
    Params,
    User,
    UserList,
    UserStatus,
)
from wfbench.actions.registry import ActionSpec

CATEGORY = "users"


class GetUserParams(Params):
    """Which user to look up: by ``id`` or by ``email`` (at least one)."""

    id: str | None = Field(default=None, min_length=1)
    """The user's id."""

    email: str | None = Field(default=None, min_length=1)
    """The user's email address (matched without regard to case)."""

    @model_validator(mode="after")
    def _one_key(self) -> Self:
        if self.id is None and self.email is None:
            raise ValueError("give the user's id or email")
        return self


class SearchUsersParams(Params):
    """Filters for a user search; every filter given must match."""

    department: str | None = None
    """Only users of this department."""

    employee_type: EmployeeType | None = None
    """Only ``employee`` or only ``contractor`` users."""

    status: UserStatus | None = None
    """Only ``active`` or only ``suspended`` users."""

    group: str | None = None
    """Only members of the group with this name."""

    limit: int = Field(default=50, ge=1, le=1000)
    """The most users to return (1 to 1000)."""


class CreateUserParams(Params):
    """The new user's details."""

    first_name: str = Field(min_length=1)
    """Given name."""

    last_name: str = Field(min_length=1)
    """Family name."""

    email: str = Field(min_length=3)
    """Email address; must not be taken by another user."""

    department: str = Field(min_length=1)
    """The department the user works in, for example ``engineering``."""

    employee_type: EmployeeType = "employee"
    """``employee`` (the default) or ``contractor``."""

    manager_email: str | None = None
    """The email address of the user's manager, if any."""


class UpdateUserParams(Params):
    """The user to change and the fields to change; fields left out stay as they are.

    ``manager_email`` given as ``null`` removes the manager; ``null`` for any
    other field leaves it unchanged.
    """

    user_id: str = Field(min_length=1)
    """The id of the user to change."""

    first_name: str | None = Field(default=None, min_length=1)
    """New given name."""

    last_name: str | None = Field(default=None, min_length=1)
    """New family name."""

    email: str | None = Field(default=None, min_length=3)
    """New email address; must not be taken by another user."""

    department: str | None = Field(default=None, min_length=1)
    """New department."""

    employee_type: EmployeeType | None = None
    """New employee type: ``employee`` or ``contractor``."""

    manager_email: str | None = None
    """New manager's email address (``null`` removes the manager)."""


class UserIdParams(Params):
    """The user to act on."""

    user_id: str = Field(min_length=1)
    """The user's id."""


def _get(params: GetUserParams, ctx: ActionContext) -> User:
    with directory_of(ctx) as d:
        return d.get_user(id=params.id, email=params.email)


def _search(params: SearchUsersParams, ctx: ActionContext) -> UserList:
    with directory_of(ctx) as d:
        return d.search_users(
            department=params.department,
            employee_type=params.employee_type,
            status=params.status,
            group=params.group,
            limit=params.limit,
        )


def _create(params: CreateUserParams, ctx: ActionContext) -> User:
    with directory_of(ctx) as d:
        return d.create_user(
            first_name=params.first_name,
            last_name=params.last_name,
            email=params.email,
            department=params.department,
            employee_type=params.employee_type,
            manager_email=params.manager_email,
        )


def _update(params: UpdateUserParams, ctx: ActionContext) -> User:
    # Only the fields the step gave: ``manager_email: null`` given removes the manager.
    fields = {name: getattr(params, name) for name in params.model_fields_set - {"user_id"}}
    with directory_of(ctx) as d:
        return d.update_user(params.user_id, **fields)


def _suspend(params: UserIdParams, ctx: ActionContext) -> User:
    with directory_of(ctx) as d:
        return d.suspend_user(params.user_id)


def _activate(params: UserIdParams, ctx: ActionContext) -> User:
    with directory_of(ctx) as d:
        return d.activate_user(params.user_id)


def _reset_mfa(params: UserIdParams, ctx: ActionContext) -> User:
    with directory_of(ctx) as d:
        return d.reset_mfa(params.user_id)


def _delete(params: UserIdParams, ctx: ActionContext) -> Deleted:
    with directory_of(ctx) as d:
        return d.delete_user(params.user_id)


def _spec(
    action: str,
    description: str,
    input_model: type[Params],
    output_model: type[Output],
    permission: str,
    handler: Callable[..., Any],
    *,
    side_effects: bool = True,
    require_one_of: tuple[str, ...] = (),
) -> ActionSpec:
    return ActionSpec(
        name=f"{CATEGORY}.{action}",
        category=CATEGORY,
        description=description,
        input_model=input_model,
        output_model=output_model,
        permissions=frozenset({permission}),
        side_effects=side_effects,
        handler=handler,
        require_one_of=require_one_of,
        # Every writing handler writes only to the run's directory, checking first.
        callable_in_dry_run=side_effects,
        batched=side_effects,
    )


SPECS: tuple[ActionSpec, ...] = (
    _spec(
        "get",
        "Look up one user by id or email; fails if there is none.",
        GetUserParams,
        User,
        "users:read",
        _get,
        side_effects=False,
        require_one_of=("id", "email"),
    ),
    _spec(
        "search",
        "Find users by department, employee type, status or group.",
        SearchUsersParams,
        UserList,
        "users:read",
        _search,
        side_effects=False,
    ),
    _spec("create", "Create a user account.", CreateUserParams, User, "users:write", _create),
    _spec("update", "Change a user's details.", UpdateUserParams, User, "users:write", _update),
    _spec(
        "suspend",
        "Suspend a user so they can no longer sign in.",
        UserIdParams,
        User,
        "users:write",
        _suspend,
    ),
    _spec("activate", "Reactivate a suspended user.", UserIdParams, User, "users:write", _activate),
    _spec(
        "reset_mfa",
        "Remove a user's second factor so they enrol again.",
        UserIdParams,
        User,
        "users:write",
        _reset_mfa,
    ),
    _spec(
        "delete",
        "Delete a user from the directory.",
        UserIdParams,
        Deleted,
        "users:delete",
        _delete,
    ),
)
