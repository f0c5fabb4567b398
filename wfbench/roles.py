"""Permissions, the built-in execution roles, custom roles, and the narrowest role.

A workflow runs *as* a role (its ``run_as``). Every action declares the
permissions it needs; a role is a named set of permissions. The canvas names
the :meth:`~RoleRegistry.narrowest` built-in role that covers a workflow's
actions, and the engine checks the role again before every action.

Permissions are ``<area>:<verb>`` strings from the fixed :data:`PERMISSIONS`
list. When a custom role is defined, ``users:*`` stands for every ``users:``
permission and ``*`` for all of them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from wfbench.errors import NotFound, RoleRefused

#: Every permission wfbench knows, in the order listings show them.
PERMISSIONS: tuple[str, ...] = (
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

#: The pattern a role name must match.
ROLE_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"

_ORDER = {p: i for i, p in enumerate(PERMISSIONS)}
_BILLING = frozenset(p for p in PERMISSIONS if p.startswith("billing:"))


def sort_permissions(permissions: Iterable[str]) -> list[str]:
    """Return *permissions* without duplicates, in :data:`PERMISSIONS` order.

    Names that are not known permissions come last, alphabetically.
    """
    unique = set(permissions)
    return sorted(unique, key=lambda p: (_ORDER.get(p, len(_ORDER)), p))


@dataclass(frozen=True)
class Role:
    """A named set of permissions a workflow can run as."""

    name: str
    """How definitions refer to the role (``run_as``)."""

    permissions: frozenset[str]
    """What a run under this role may do."""

    description: str = ""
    """One sentence for listings."""

    builtin: bool = False
    """Whether wfbench ships the role (only built-in roles are proposed as narrowest)."""

    def __post_init__(self) -> None:
        # Accept any iterable at run time so a set or a list does not break hashing.
        object.__setattr__(self, "permissions", frozenset(self.permissions))

    def covers(self, required: Iterable[str]) -> bool:
        """Whether the role holds every permission in *required*."""
        return self.permissions.issuperset(required)

    def sorted_permissions(self) -> list[str]:
        """The role's permissions in :data:`PERMISSIONS` order."""
        return sort_permissions(self.permissions)


def _builtin(name: str, permissions: Iterable[str], description: str) -> Role:
    return Role(name, frozenset(permissions), description, builtin=True)


_READS = frozenset(p for p in PERMISSIONS if p.endswith(":read")) - _BILLING
_READ_ONLY = _builtin(
    "read_only",
    _READS,
    "Look things up in the directory; change nothing.",
)
_HELP_DESK = _builtin(
    "help_desk",
    _READ_ONLY.permissions | {"users:write", "notifications:send"},
    "read_only, plus changing user accounts and sending notifications.",
)
_COMMAND_RUNNER = _builtin(
    "command_runner",
    {"devices:read", "commands:run"},
    "Find devices and run commands on them.",
)
_MANAGER = _builtin(
    "manager",
    _HELP_DESK.permissions | {"groups:write", "devices:write", "applications:write"},
    "help_desk, plus changing groups, devices and application access.",
)
_ADMINISTRATOR = _builtin(
    "administrator",
    frozenset(PERMISSIONS) - _BILLING,
    "Every permission except billing.",
)
_ADMINISTRATOR_WITH_BILLING = _builtin(
    "administrator_with_billing",
    PERMISSIONS,
    "Every permission, billing included.",
)

#: The roles wfbench ships, narrowest first; this order breaks ties in
#: :meth:`RoleRegistry.narrowest`.
#:
#: ``read_only`` holds every ``:read`` permission *except* ``billing:read``:
#: ``administrator`` excludes ``billing:*``, and the chain
#: ``read_only ⊂ help_desk ⊂ manager ⊂ administrator ⊂ administrator_with_billing``
#: must hold, so reading billing data needs ``administrator_with_billing``.
BUILTIN_ROLES: tuple[Role, ...] = (
    _READ_ONLY,
    _HELP_DESK,
    _COMMAND_RUNNER,
    _MANAGER,
    _ADMINISTRATOR,
    _ADMINISTRATOR_WITH_BILLING,
)


def expand_permissions(patterns: Iterable[str]) -> tuple[frozenset[str], list[str]]:
    """Expand permission names and wildcards against :data:`PERMISSIONS`.

    ``*`` in a name matches any run of characters (``users:*``, ``*:read``,
    ``*``). Returns the permissions found and the names that matched nothing.
    """
    found: set[str] = set()
    unknown: list[str] = []
    for pattern in patterns:
        if "*" in pattern:
            rx = re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
            matched = [p for p in PERMISSIONS if rx.fullmatch(p)]
        else:
            matched = [pattern] if pattern in _ORDER else []
        if matched:
            found.update(matched)
        elif pattern not in unknown:
            unknown.append(pattern)
    return frozenset(found), unknown


def _describe_unknown(unknown: Iterable[str]) -> list[str]:
    problems = []
    for name in unknown:
        close = difflib.get_close_matches(name, PERMISSIONS, n=2)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        problems.append(f"unknown permission {name!r}{hint}")
    return problems


class RoleRegistry:
    """The roles a workbench knows: the built-ins, then any custom ones."""

    def __init__(self, roles: Iterable[Role] = BUILTIN_ROLES) -> None:
        self._roles: dict[str, Role] = {}
        problems: list[str] = []
        for role in roles:
            if role.name in self._roles:
                problems.append(f"role {role.name!r} is given twice")
                continue
            unknown = [p for p in sort_permissions(role.permissions) if p not in _ORDER]
            problems += [f"role {role.name!r}: {p}" for p in _describe_unknown(unknown)]
            self._roles[role.name] = role
        if problems:
            raise RoleRefused(_problems_message("Cannot build the role registry", problems))

    def define(self, name: str, permissions: Iterable[str], description: str = "") -> Role:
        """Define a custom role from permission names (wildcards allowed) and add it.

        Every problem (a bad or taken name, each unknown permission) is reported
        at once in one :class:`~wfbench.errors.WfbenchError`.
        """
        if isinstance(permissions, str):
            permissions = [permissions]
        problems: list[str] = []
        if not re.fullmatch(ROLE_NAME_PATTERN, name):
            problems.append(
                f"the name {name!r} is not valid: use lower-case letters, digits and "
                "underscores, starting with a letter"
            )
        elif name in self._roles:
            problems.append(f"a role named {name!r} already exists; choose another name")
        found, unknown = expand_permissions(permissions)
        problems += _describe_unknown(unknown)
        if problems:
            hint = "Known permissions: " + ", ".join(PERMISSIONS) + "." if unknown else ""
            raise RoleRefused(_problems_message(f"Cannot define role {name!r}", problems, hint))
        role = Role(name, found, description, builtin=False)
        self._roles[name] = role
        return role

    def get(self, name: str) -> Role:
        """The role called *name*; :class:`~wfbench.errors.NotFound` if there is none."""
        try:
            return self._roles[name]
        except KeyError:
            close = _suggest(name, list(self._roles))
            hint = f" Did you mean {' or '.join(close)}?" if close else ""
            raise NotFound(
                f"There is no role {name!r}.{hint} Known roles: {', '.join(self._roles)}."
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._roles

    def __iter__(self) -> Iterator[Role]:
        return iter(self._roles.values())

    def __len__(self) -> int:
        return len(self._roles)

    def names(self) -> list[str]:
        """Role names: built-ins in :data:`BUILTIN_ROLES` order, then custom ones."""
        return list(self._roles)

    def narrowest(self, required: Iterable[str]) -> Role | None:
        """The narrowest built-in role that covers *required*.

        Among the built-in roles that cover every permission in *required*: the
        one with the fewest permissions that change anything (every permission
        but ``:read``: writes, sends, runs), then the fewest permissions in all,
        then the order of :data:`BUILTIN_ROLES`. So a workflow that only reads
        (or needs nothing) gets ``read_only``, never ``command_runner``, which
        can run commands. ``None`` when no built-in role covers *required*.
        """
        needed = frozenset(required)
        covering = [r for r in self._roles.values() if r.builtin and r.covers(needed)]
        if not covering:
            return None
        # min() keeps the first of equals, so last ties follow the registry order.
        return min(covering, key=breadth)

    def why_narrowest(self, required: Iterable[str]) -> str:
        """Why :meth:`narrowest` is the narrowest, in words for the Run As choice.

        For example "covers users:read, groups:write; nothing else that writes".
        """
        role = self.narrowest(required)
        if role is None:
            return "no built-in role covers every action"
        needed = sort_permissions(required)
        covers = f"covers {', '.join(needed)}" if needed else "the workflow needs no permission"
        extra = sort_permissions(changing(role.permissions) - set(needed))
        if not extra:
            return f"{covers}; nothing else that writes"
        return f"{covers}; also allows {', '.join(extra)}"


def breadth(role: Role) -> tuple[int, int]:
    """How broad a role is, the one ordering behind both the narrowest role and the
    "broader than needed" warning (PRODUCT.md section 3): first how many of its
    permissions change anything, then how many it has in all. Smaller is narrower."""
    return len(changing(role.permissions)), len(role.permissions)


def changing(permissions: Iterable[str]) -> frozenset[str]:
    """The permissions that change anything: every one but ``:read`` (writes, sends, runs)."""
    return frozenset(p for p in permissions if not p.endswith(":read"))


def missing_permissions(role: Role, required: Iterable[str]) -> list[str]:
    """The permissions in *required* that *role* lacks, in :data:`PERMISSIONS` order."""
    return sort_permissions(set(required) - role.permissions)


def _suggest(name: str, known: list[str], n: int = 3) -> list[str]:
    """Known names that start with *name*, then close spellings; at most *n*."""
    found = [k for k in known if name and k.startswith(name)]
    found += [k for k in difflib.get_close_matches(name, known, n=n) if k not in found]
    return found[:n]


def _problems_message(head: str, problems: list[str], hint: str = "") -> str:
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    lines = [f"{head}: {count} {noun}:", *(f"  - {p}" for p in problems)]
    if hint:
        lines.append(hint)
    return "\n".join(lines)
