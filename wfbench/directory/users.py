"""Users: look up, search, create, change, suspend, delete."""

from __future__ import annotations

from typing import Any

from wfbench.actions.records import Deleted, User, UserList
from wfbench.directory.base import (
    _EMPLOYEE_TYPES,
    _UPDATABLE,
    DirectoryBase,
    _email,
    _iso,
    _text,
    _user_from_row,
    _user_query,
)
from wfbench.errors import ActionError
from wfbench.transactions import transaction as atomic


class Users(DirectoryBase):
    """Users: look up, search, create, change, suspend, delete."""

    def get_user(self, id: str | None = None, email: str | None = None) -> User:
        """The user with this *id* or *email* (matched without regard to case).

        Given both, the user must match both. Nothing found is an
        :class:`~wfbench.errors.ActionError` naming what was looked for.
        """
        self._require("get_user", "users:read")
        if id is None and email is None:
            raise ActionError("give the user's id or email")
        user = self._find_user(id=id) if id is not None else self._find_user(email=email)
        if user is not None and email is not None and user.email != email.strip().lower():
            user = None
        if user is None:
            looked = [f"id {id!r}"] if id is not None else []
            looked += [f"email {email!r}"] if email is not None else []
            raise ActionError(f"no user with {' and '.join(looked)}")
        return user

    def search_users(
        self,
        department: str | None = None,
        employee_type: str | None = None,
        status: str | None = None,
        group: str | None = None,
        limit: int = 50,
    ) -> UserList:
        """Users matching every filter given, by id, at most *limit* of them.

        *group* is a group's name; an unknown group is an error (a typo should
        not look like an empty group).
        """
        self._require("search_users", "users:read")
        if limit < 1:
            raise ActionError(f"limit must be at least 1, not {limit}")
        where: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("department", department),
            ("employee_type", employee_type),
            ("status", status),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if group is not None:
            group_id = self._value('SELECT id FROM "groups" WHERE lower(name) = lower(?)', [group])
            if group_id is None:
                raise ActionError(f"no group named {group!r}")
            where.append(
                "EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.group_id = ?)"
            )
            params.append(group_id)
        condition = f"WHERE {' AND '.join(where)}" if where else ""
        source = f"SELECT * FROM users {condition} ORDER BY id LIMIT ?"
        rows = self._rows(_user_query(source), [*params, limit])
        users = [_user_from_row(r) for r in rows]
        return UserList(users=users, count=len(users))

    def create_user(
        self,
        first_name: str,
        last_name: str,
        email: str,
        department: str,
        employee_type: str = "employee",
        manager_email: str | None = None,
    ) -> User:
        """Create an active user without MFA; the email must be free. Returns the new user."""
        self._require("create_user", "users:write")
        address = _email(email)
        if employee_type not in _EMPLOYEE_TYPES:
            raise ActionError(
                f"employee_type must be employee or contractor, not {employee_type!r}"
            )
        manager = None if manager_email is None else _email(manager_email, "manager_email")
        taken = self._email_taken(address)
        if taken is not None:
            raise ActionError(f"a user with email {address!r} already exists ({taken})")
        now = self._now()
        user = User(
            id=self._next_id("users", "u_", 4),
            email=address,
            first_name=_text(first_name, "first_name"),
            last_name=_text(last_name, "last_name"),
            department=_text(department, "department"),
            employee_type=employee_type,  # checked above
            manager_email=manager,
            status="active",
            mfa_enrolled=False,
            groups=[],
            created_at=_iso(now) or "",
        )
        self._con.execute(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                user.id,
                user.email,
                user.first_name,
                user.last_name,
                user.department,
                user.employee_type,
                user.manager_email,
                user.status,
                user.mfa_enrolled,
                now,
            ],
        )
        self._inserted("users", user.id)
        self._note(
            f"created user {address} ({user.id})",
            f"would create user {address} ({user.id})",
        )
        return user

    def update_user(self, user_id: str, **fields: Any) -> User:
        """Change some of a user's details; returns the user as changed.

        *fields* are any of ``first_name``, ``last_name``, ``email``,
        ``department``, ``employee_type``, ``manager_email``. ``None`` for
        ``manager_email`` removes the manager; ``None`` for any other field
        leaves it unchanged. A new email must be free.
        """
        self._require("update_user", "users:write")
        unknown = sorted(set(fields) - set(_UPDATABLE))
        if unknown:
            raise ActionError(
                f"update_user cannot change {', '.join(unknown)}; it changes "
                f"{', '.join(_UPDATABLE)} (suspend_user, activate_user and reset_mfa change "
                "the rest)"
            )
        before = self._user(user_id)
        wanted: dict[str, Any] = {}
        for name, value in fields.items():
            if value is None and name != "manager_email":
                continue
            if name == "email":
                value = _email(value)
            elif name == "manager_email":
                value = None if value is None else _email(value, "manager_email")
            elif name == "employee_type":
                if value not in _EMPLOYEE_TYPES:
                    raise ActionError(
                        f"employee_type must be employee or contractor, not {value!r}"
                    )
            else:
                value = _text(value, name)
            if getattr(before, name) != value:
                wanted[name] = value
        if "email" in wanted:
            taken = self._email_taken(wanted["email"], by_other_than=user_id)
            if taken is not None:
                raise ActionError(f"a user with email {wanted['email']!r} already exists ({taken})")
        if not wanted:
            return before
        after = before.model_copy(update=wanted)
        self._apply_user(before, wanted)
        detail = ", ".join(f"{k} {getattr(before, k)} → {v}" for k, v in wanted.items())
        self._note(
            f"updated {before.email}: {detail}",
            f"would update {before.email}: {detail}",
        )
        return after

    def _set_user(
        self, doing: str, user_id: str, field: str, value: Any, verbs: tuple[str, str]
    ) -> User:
        self._require(doing, "users:write")
        before = self._user(user_id)
        old = getattr(before, field)
        if old == value:
            return before
        after = before.model_copy(update={field: value})
        self._apply_user(before, {field: value})
        shown = {True: "enrolled", False: "not enrolled"}
        detail = f"({shown.get(old, old)} → {shown.get(value, value)})"
        done, would = verbs
        self._note(f"{done} {before.email} {detail}", f"would {would} {before.email} {detail}")
        return after

    def suspend_user(self, user_id: str) -> User:
        """Suspend a user (they can no longer sign in); returns the user as changed."""
        return self._set_user(
            "suspend_user", user_id, "status", "suspended", ("suspended", "suspend")
        )

    def activate_user(self, user_id: str) -> User:
        """Reactivate a suspended user; returns the user as changed."""
        return self._set_user(
            "activate_user", user_id, "status", "active", ("activated", "activate")
        )

    def reset_mfa(self, user_id: str) -> User:
        """Remove a user's second factor (``mfa_enrolled`` becomes false)."""
        return self._set_user(
            "reset_mfa", user_id, "mfa_enrolled", False, ("reset the MFA of", "reset the MFA of")
        )

    def delete_user(self, user_id: str) -> Deleted:
        """Delete a user, their group memberships and application bindings.

        Devices they owned stay in the directory, unassigned.
        """
        self._require("delete_user", "users:delete")
        user = self._user(user_id)
        counts = self._rows(
            "SELECT (SELECT count(*) FROM memberships WHERE user_id = $1), "
            "(SELECT count(*) FROM bindings WHERE user_id = $1), "
            "(SELECT count(*) FROM devices WHERE owner_id = $1)",
            [user_id],
        )[0]
        with atomic(self._con):
            for table, where, sql in (
                ("memberships", "user_id = ?", "DELETE FROM memberships"),
                ("bindings", "user_id = ?", "DELETE FROM bindings"),
                ("devices", "owner_id = ?", "UPDATE devices SET owner_id = NULL"),
                ("users", "id = ?", "DELETE FROM users"),
            ):
                self._writing(table, where, [user_id])
                self._con.execute(f"{sql} WHERE {where}", [user_id])
        detail = (
            f"({user_id}; left {counts[0]} groups, lost {counts[1]} application bindings, "
            f"{counts[2]} devices unassigned)"
        )
        self._note(
            f"deleted user {user.email} {detail}",
            f"would delete user {user.email} {detail}",
        )
        return Deleted(id=user_id, deleted=True)
