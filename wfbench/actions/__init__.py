"""The action catalogue: built-in actions by category, and custom ones.

Each category module (:mod:`~wfbench.actions.users`, ``groups``, ``devices``,
``applications``, ``commands``, ``notify``, ``http``, ``core``) declares its
actions' parameter and result models and a ``SPECS`` tuple;
:func:`builtin_registry` collects them into a fresh :class:`ActionRegistry`.
The directory records the actions exchange live in :mod:`~wfbench.actions.records`.
"""

from wfbench.actions import (
    applications,
    commands,
    core,
    devices,
    groups,
    http,
    notify,
    records,
    users,
)
from wfbench.actions.registry import ActionRegistry, ActionSpec, builtin_registry

__all__ = [
    "ActionRegistry",
    "ActionSpec",
    "applications",
    "builtin_registry",
    "commands",
    "core",
    "devices",
    "groups",
    "http",
    "notify",
    "records",
    "users",
]
