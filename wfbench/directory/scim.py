"""A SCIM 2.0 service (RFC 7643/7644) as a run's directory: :class:`ScimDirectory`.

It offers the users and groups operations of the embedded
:class:`~wfbench.directory.Directory`, with the same names, records
(:mod:`wfbench.actions.records`), permissions and change lines, over
``scim2-client`` and ``scim2-models``. How a user's fields map (README, "Acting on
a real directory"):

===============  =============================================================
``id``           ``id``
``email``        the primary ``emails`` value (else the first, else ``userName``)
``first_name``   ``name.givenName``;  ``last_name``: ``name.familyName``
``department``   enterprise extension ``department``
``employee_type`` ``userType`` (``Contractor`` → ``contractor``, else ``employee``)
``manager_email`` the email of the user the enterprise ``manager.value`` names
``status``       ``active`` (true → ``active``, false → ``suspended``)
``mfa_enrolled`` always false: SCIM has no MFA attribute (``users.reset_mfa`` is refused)
``groups``       the groups whose ``members`` hold the user (a ``filter`` query)
``created_at``   ``meta.created``
===============  =============================================================

A group is ``id``, ``displayName`` (``name``), no ``description`` (SCIM core has none:
``""``) and ``len(members)``. Lists page through the whole directory
(``startIndex``/``count``). Writes are PATCH (``active``, ``members``, fields),
POST and DELETE; where the service announces ETags, they carry ``If-Match`` with the
version read just before (a resource changed in between fails the step: 412).
The network's failure model is :mod:`.scim_http`'s.
"""

from __future__ import annotations

from typing import Any

from scim2_models import Manager

from wfbench.actions.records import Deleted, Group, Membership, User, UserList
from wfbench.directory.base import _EMPLOYEE_TYPES, _UPDATABLE, _email, _text
from wfbench.directory.scim_base import (
    _CORE_GROUP,
    _CORE_USER,
    _ENTERPRISE,
    PAGE,
    ScimBase,
    _email_of,
    _quote,
    scim_user_fields,
    user_record,
)
from wfbench.errors import ActionError

__all__ = ["PAGE", "ScimDirectory", "scim_user_fields", "user_record"]


class ScimDirectory(ScimBase):
    """The users and groups of a SCIM service, within a run's permissions.

    Made per run by the run's recorder; thread-safe. ``changes`` lists what it changed, as
    the embedded directory words it. It never writes in a dry run: a plan runs on a copy
    (:mod:`.scim_copy`).
    """

    # -- users ----------------------------------------------------------------------------------

    def get_user(self, id: str | None = None, email: str | None = None) -> User:
        """The user with this *id* or *email*; nothing found fails the step."""
        self._require("get_user", "users:read")
        if id is None and email is None:
            raise ActionError("give the user's id or email")
        found = self._find_user(id=id) if id is not None else self._find_user(email=email)
        if found is not None and email is not None and _email_of(found) != email.strip().lower():
            found = None
        if found is None:
            looked = [f"id {id!r}"] if id is not None else []
            looked += [f"email {email!r}"] if email is not None else []
            raise ActionError(f"no user with {' and '.join(looked)}")
        return self._record(found)

    def search_users(
        self,
        department: str | None = None,
        employee_type: str | None = None,
        status: str | None = None,
        group: str | None = None,
        limit: int = 50,
    ) -> UserList:
        """Users matching every filter given, by id, at most *limit* of them."""
        self._require("search_users", "users:read")
        if limit < 1:
            raise ActionError(f"limit must be at least 1, not {limit}")
        members: set[str] | None = None
        if group is not None:
            groups = self._list("Group", "find a group", f"displayName eq {_quote(group)}")
            if not groups:
                raise ActionError(f"no group named {group!r}")
            members = {m.value for m in groups[0].members or ()}
        everyone = self._list("User", "list users")
        emails = {r.id: _email_of(r) for r in everyone}
        users = [user_record(r, emails, []) for r in everyone]
        picked = [
            u
            for u in sorted(users, key=lambda u: u.id)
            if (department is None or u.department == department)
            and (employee_type is None or u.employee_type == employee_type)
            and (status is None or u.status == status)
            and (members is None or u.id in members)
        ][:limit]
        picked = [u.model_copy(update={"groups": self._groups_of(u.id)}) for u in picked]
        return UserList(users=picked, count=len(picked))

    def create_user(
        self,
        first_name: str,
        last_name: str,
        email: str,
        department: str,
        employee_type: str = "employee",
        manager_email: str | None = None,
    ) -> User:
        """Create an active user (POST); a taken email fails the step (409)."""
        self._require("create_user", "users:write")
        address = _email(email)
        if employee_type not in _EMPLOYEE_TYPES:
            raise ActionError(
                f"employee_type must be employee or contractor, not {employee_type!r}"
            )
        manager = self._manager_ref(manager_email)
        model = self.scim.get_resource_model("User")
        assert model is not None
        enterprise: dict[str, Any] = {"department": _text(department, "department")}
        if manager is not None:
            enterprise["manager"] = {"value": manager.value}
        user = model.model_validate(
            {
                "schemas": [_CORE_USER, _ENTERPRISE],
                "userName": address,
                "name": {"givenName": _text(first_name, "first_name"), "familyName": last_name},
                "emails": [{"value": address, "primary": True, "type": "work"}],
                "active": True,
                "userType": employee_type.capitalize(),
                _ENTERPRISE: enterprise,
            }
        )
        made = self._call(
            "POST", f"create user {address}", lambda **kw: self.scim.create(user, **kw)
        )
        self._note(f"created user {address} ({made.id})")
        return self._record(made, groups=[])

    def _manager_ref(self, manager_email: str | None) -> Manager | None:
        if manager_email is None:
            return None
        address = _email(manager_email, "manager_email")
        found = self._find_user(email=address)
        if found is None:
            raise ActionError(f"no user with email {address!r} to be the manager")
        return Manager(value=found.id)

    def update_user(self, user_id: str, **fields: Any) -> User:
        """Change some of a user's details (one PATCH); returns the user as changed."""
        self._require("update_user", "users:write")
        unknown = sorted(set(fields) - set(_UPDATABLE))
        if unknown:
            raise ActionError(
                f"update_user cannot change {', '.join(unknown)}; "
                f"it changes {', '.join(_UPDATABLE)}"
            )
        resource = self._user(user_id)
        before = self._record(resource)
        wanted: dict[str, Any] = {}
        for name, value in fields.items():
            if value is None and name != "manager_email":
                continue
            if name in ("email", "manager_email") and value is not None:
                value = _email(value, name)
            elif name == "employee_type" and value not in _EMPLOYEE_TYPES:
                raise ActionError(f"employee_type must be employee or contractor, not {value!r}")
            elif name not in ("email", "manager_email", "employee_type"):
                value = _text(value, name)
            if getattr(before, name) != value:
                wanted[name] = value
        if not wanted:
            return before
        ext = _ENTERPRISE
        paths = {
            "first_name": "name.givenName",
            "last_name": "name.familyName",
            "department": f"{ext}:department",
            "employee_type": "userType",
        }
        ops: list[dict[str, Any]] = []
        for name, value in wanted.items():
            if name == "email":
                ops += [
                    {
                        "op": "replace",
                        "path": "emails",
                        "value": [{"value": value, "primary": True, "type": "work"}],
                    },
                    {"op": "replace", "path": "userName", "value": value},
                ]
            elif name == "manager_email":
                ref = self._manager_ref(value)
                ops.append(
                    {"op": "replace", "path": f"{ext}:manager", "value": {"value": ref.value}}
                    if ref is not None
                    else {"op": "remove", "path": f"{ext}:manager"}
                )
            else:
                shown = value.capitalize() if name == "employee_type" else value
                ops.append({"op": "replace", "path": paths[name], "value": shown})
        self._patch(resource, ops, f"update user {before.email}")
        detail = ", ".join(f"{k} {getattr(before, k)} → {v}" for k, v in wanted.items())
        self._note(f"updated {before.email}: {detail}")
        return before.model_copy(update=wanted)

    def _set_active(self, doing: str, user_id: str, active: bool, verbs: tuple[str, str]) -> User:
        self._require(doing, "users:write")
        resource = self._user(user_id)
        before = self._record(resource)
        value = "active" if active else "suspended"
        if before.status == value:
            return before
        done, verb = verbs
        self._patch(
            resource,
            [{"op": "replace", "path": "active", "value": active}],
            f"{verb} {before.email}",
        )
        self._note(f"{done} {before.email} ({before.status} → {value})")
        return before.model_copy(update={"status": value})

    def suspend_user(self, user_id: str) -> User:
        """Suspend a user (``active`` false); returns the user as changed."""
        return self._set_active("suspend_user", user_id, False, ("suspended", "suspend"))

    def activate_user(self, user_id: str) -> User:
        """Reactivate a suspended user (``active`` true); returns the user as changed."""
        return self._set_active("activate_user", user_id, True, ("activated", "activate"))

    def reset_mfa(self, user_id: str) -> User:
        raise ActionError(
            f"SCIM connector {self.target.name!r} has no MFA attribute to reset; "
            "users.reset_mfa acts on the embedded directory only"
        )

    def delete_user(self, user_id: str) -> Deleted:
        """Delete a user (DELETE); the service drops their memberships."""
        self._require("delete_user", "users:delete")
        resource = self._user(user_id)
        before = self._record(resource)
        for ref in before.groups:  # not every service drops a deleted user's memberships
            group = self._group_resource(ref.id)
            self._patch(
                group,
                [{"op": "remove", "path": f"members[value eq {_quote(user_id)}]"}],
                f"remove {before.email} from group {ref.name}",
                merge=True,
            )
        self._call(
            "DELETE", f"delete user {before.email}", lambda **kw: self.scim.delete(resource, **kw)
        )
        self._note(f"deleted user {before.email} ({user_id}; left {len(before.groups)} groups)")
        return Deleted(id=user_id, deleted=True)

    # -- groups ---------------------------------------------------------------------------------

    def get_group(self, id: str | None = None, name: str | None = None) -> Group:
        """The group with this *id* or *name* (names match without regard to case)."""
        self._require("get_group", "groups:read")
        if id is None and name is None:
            raise ActionError("give the group's id or name")
        if id is not None:
            found = self._get("Group", id, f"read group {id}")
        else:
            assert name is not None
            hits = self._list("Group", f"find group {name}", f"displayName eq {_quote(name)}")
            found = hits[0] if hits else None
        if (
            found is not None
            and name is not None
            and (found.display_name or "").lower() != (name.lower())
        ):
            found = None
        if found is None:
            looked = [f"id {id!r}"] if id is not None else []
            looked += [f"name {name!r}"] if name is not None else []
            raise ActionError(f"no group with {' and '.join(looked)}")
        return self._group(found)

    def create_group(self, name: str, description: str = "") -> Group:
        """Create an empty group (POST); a taken name fails the step (409)."""
        self._require("create_group", "groups:write")
        name = _text(name, "the group name")
        model = self.scim.get_resource_model("Group")
        assert model is not None
        group = model.model_validate({"schemas": [_CORE_GROUP], "displayName": name})
        made = self._call(
            "POST", f"create group {name}", lambda **kw: self.scim.create(group, **kw)
        )
        self._note(f"created group {name} ({made.id})")
        return self._group(made)

    def list_members(self, group_id: str) -> UserList:
        """The users who belong to a group, by id."""
        self._require("list_members", "groups:read", "users:read")
        group = self._group_resource(group_id)
        users = []
        for member in group.members or ():
            found = self._get("User", member.value, "read a member")
            if found is not None:
                users.append(self._record(found))
        users.sort(key=lambda u: u.id)
        return UserList(users=users, count=len(users))

    def add_user_to_group(self, group_id: str, user_id: str) -> Membership:
        """Add a user to a group (PATCH add); ``changed`` is false when they belonged."""
        self._require("add_user_to_group", "groups:write")
        group = self._group_resource(group_id)
        user = self._record(self._user(user_id), groups=[])
        if any(m.value == user_id for m in group.members or ()):
            return Membership(group_id=group_id, user_id=user_id, changed=False)
        self._patch(
            group,
            [{"op": "add", "path": "members", "value": [{"value": user_id}]}],
            f"add {user.email} to group {group.display_name}",
            merge=True,
        )
        self._note(f"added {user.email} to group {group.display_name}")
        return Membership(group_id=group_id, user_id=user_id, changed=True)

    def remove_user_from_group(self, group_id: str, user_id: str) -> Membership:
        """Remove a user from a group (PATCH remove); ``changed`` is false when they did not
        belong."""
        self._require("remove_user_from_group", "groups:write")
        group = self._group_resource(group_id)
        user = self._record(self._user(user_id), groups=[])
        if not any(m.value == user_id for m in group.members or ()):
            return Membership(group_id=group_id, user_id=user_id, changed=False)
        self._patch(
            group,
            [{"op": "remove", "path": f"members[value eq {_quote(user_id)}]"}],
            f"remove {user.email} from group {group.display_name}",
            merge=True,
        )
        self._note(f"removed {user.email} from group {group.display_name}")
        return Membership(group_id=group_id, user_id=user_id, changed=True)
