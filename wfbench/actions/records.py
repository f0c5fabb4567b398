"""The directory's records as actions take and return them, and the model bases.

Every action's parameters (its ``with``) are a :class:`Params` model and its
result an :class:`Output` model. Both refuse unknown keys, document every field
in place (the docstring under a field becomes its description in forms and
JSON Schema), and accept a field by its alias or its name. Code that lists a
model's parameters should use ``field.alias or name``: ``http.request`` calls
its body field ``json``, which the Python attribute ``json_`` stands for.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict

from wfbench._field_docs import Documented

# Documented: the docstring under a field is its description (as pydantic's
# use_attribute_docstrings, without reading each class's source at import).
_CONFIG = ConfigDict(
    extra="forbid",
    populate_by_name=True,
    defer_build=True,
    serialize_by_alias=True,
)


class Params(Documented):
    """Base of every built-in action's parameters: unknown parameters are refused."""

    model_config = _CONFIG


class Output(Documented):
    """Base of every built-in action's result: always an object, never a bare list."""

    model_config = _CONFIG


EmployeeType = Literal["employee", "contractor"]
UserStatus = Literal["active", "suspended"]
DeviceOS = Literal["macos", "windows", "linux"]
DeviceStatus = Literal["active", "locked", "erased"]


class GroupRef(Output):
    """A group a user belongs to, as listed on the user."""

    id: str
    """The group's id."""

    name: str
    """The group's unique name."""


class User(Output):
    """A user of the directory."""

    id: str
    """The user's id."""

    email: str
    """The user's email address; unique in the directory."""

    first_name: str
    """Given name."""

    last_name: str
    """Family name."""

    department: str
    """The department the user works in, for example ``engineering``."""

    employee_type: EmployeeType
    """``employee`` or ``contractor``."""

    manager_email: str | None
    """The email address of the user's manager, or ``null`` if none is recorded."""

    status: UserStatus
    """``active``, or ``suspended`` (cannot sign in)."""

    mfa_enrolled: bool
    """Whether the user has enrolled a second factor."""

    groups: list[GroupRef]
    """The groups the user belongs to, each as ``{id, name}``."""

    created_at: str
    """When the account was created (ISO-8601, UTC)."""


class Group(Output):
    """A group of the directory."""

    id: str
    """The group's id."""

    name: str
    """The group's name; unique in the directory."""

    description: str
    """What the group is for (may be empty)."""

    member_count: int
    """How many users belong to the group."""


class Device(Output):
    """A device managed by the directory."""

    id: str
    """The device's id."""

    name: str
    """The device's host name."""

    os: DeviceOS
    """``macos``, ``windows`` or ``linux``."""

    owner_id: str | None
    """The id of the user the device is assigned to, or ``null`` if unassigned."""

    status: DeviceStatus
    """``active``, ``locked`` or ``erased``."""

    last_seen: str | None
    """When the device last checked in (ISO-8601, UTC), or ``null`` if never."""


class UserList(Output):
    """Users found by a search or listed as a group's members."""

    users: list[User]
    """The users found."""

    count: int
    """How many users are in ``users``."""


class DeviceList(Output):
    """Devices found for a user."""

    devices: list[Device]
    """The devices found."""

    count: int
    """How many devices are in ``devices``."""


class Deleted(Output):
    """The outcome of deleting a record."""

    id: str
    """The id of the deleted record."""

    deleted: bool
    """``true`` once the record is gone."""


class Binding(Output):
    """The outcome of binding a user to an application or unbinding them."""

    application_id: str
    """The application's id."""

    user_id: str
    """The user's id."""

    changed: bool
    """``false`` when the binding was already as asked (nothing was done)."""


class CommandResult(Output):
    """A command run as recorded in the directory."""

    command_id: str
    """The id of the recorded command run."""

    device_id: str
    """The device the command ran on."""

    command: str
    """The command line that was run."""

    status: Literal["queued", "succeeded", "failed"]
    """``queued`` (not run yet), ``succeeded`` or ``failed``."""

    exit_code: int | None
    """The command's exit code, or ``null`` while it is queued."""

    output: str
    """What the command printed (empty while it is queued)."""


class Membership(Output):
    """The outcome of adding a user to a group or removing them from it."""

    group_id: str
    """The group's id."""

    user_id: str
    """The user's id."""

    changed: bool
    """``false`` when the membership was already as asked (nothing was done)."""


class EmailSent(Output):
    """An email placed in the outbox."""

    message_id: str
    """The id of the message in the outbox."""

    to: str
    """The recipient's email address."""

    subject: str
    """The subject line."""
