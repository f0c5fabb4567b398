"""Groups and their members."""

from __future__ import annotations

from wfbench.actions.records import Group, Membership, UserList
from wfbench.directory.base import (
    DirectoryBase,
    _text,
    _user_from_row,
    _user_query,
)
from wfbench.errors import ActionError


class Groups(DirectoryBase):
    """Groups and their members."""

    def get_group(self, id: str | None = None, name: str | None = None) -> Group:
        """The group with this *id* or *name* (names match without regard to case)."""
        self._require("get_group", "groups:read")
        if id is None and name is None:
            raise ActionError("give the group's id or name")
        group = self._find_group(id=id) if id is not None else self._find_group(name=name)
        if group is not None and name is not None and group.name.lower() != name.lower():
            group = None
        if group is None:
            looked = [f"id {id!r}"] if id is not None else []
            looked += [f"name {name!r}"] if name is not None else []
            raise ActionError(f"no group with {' and '.join(looked)}")
        return group

    def create_group(self, name: str, description: str = "") -> Group:
        """Create an empty group; the name must be free (without regard to case)."""
        self._require("create_group", "groups:write")
        name = _text(name, "the group name")
        existing = self._find_group(name=name)
        if existing is not None:
            raise ActionError(f"a group named {existing.name!r} already exists ({existing.id})")
        group = Group(
            id=self._next_id("groups", "g_", 2),
            name=name,
            description=description,
            member_count=0,
        )
        self._con.execute(
            'INSERT INTO "groups" VALUES (?, ?, ?)', [group.id, group.name, description]
        )
        self._inserted("groups", group.id)
        self._group_cache[group.id] = group.name
        self._note(
            f"created group {name} ({group.id})",
            f"would create group {name} ({group.id})",
        )
        return group

    def list_members(self, group_id: str) -> UserList:
        """The users who belong to a group, by id."""
        self._require("list_members", "groups:read", "users:read")
        self._group(group_id)
        source = (
            "SELECT * FROM users WHERE id IN (SELECT user_id FROM memberships WHERE group_id = ?)"
        )
        users = [_user_from_row(r) for r in self._rows(_user_query(source), [group_id])]
        return UserList(users=users, count=len(users))

    def _is_member(self, group_id: str, user_id: str) -> bool:
        return bool(
            self._rows(
                "SELECT 1 FROM memberships WHERE group_id = ? AND user_id = ?", [group_id, user_id]
            )
        )

    def add_user_to_group(self, group_id: str, user_id: str) -> Membership:
        """Add a user to a group; ``changed`` is false when they already belonged."""
        self._require("add_user_to_group", "groups:write")
        group = self._group(group_id)
        user = self._user(user_id)
        if self._is_member(group_id, user_id):
            return Membership(group_id=group_id, user_id=user_id, changed=False)
        self._con.execute(
            "INSERT INTO memberships VALUES (?, ?, ?)", [group_id, user_id, self._now()]
        )
        self._inserted("memberships", group_id, user_id)
        self._note(
            f"added {user.email} to group {group.name}",
            f"would add {user.email} to group {group.name}",
        )
        return Membership(group_id=group_id, user_id=user_id, changed=True)

    def remove_user_from_group(self, group_id: str, user_id: str) -> Membership:
        """Remove a user from a group; ``changed`` is false when they did not belong."""
        self._require("remove_user_from_group", "groups:write")
        group = self._group(group_id)
        user = self._user(user_id)
        if not self._is_member(group_id, user_id):
            return Membership(group_id=group_id, user_id=user_id, changed=False)
        where = "group_id = ? AND user_id = ?"
        self._writing("memberships", where, [group_id, user_id])
        self._con.execute(f"DELETE FROM memberships WHERE {where}", [group_id, user_id])
        self._note(
            f"removed {user.email} from group {group.name}",
            f"would remove {user.email} from group {group.name}",
        )
        return Membership(group_id=group_id, user_id=user_id, changed=True)
