"""The action catalogue: built-in actions by category, and custom ones.

Each category module (:mod:`~wfbench.actions.users`, ``groups``, ``devices``,
``applications``, ``commands``, ``notify``, ``http``, ``core``) declares its
actions' parameter and result models and a ``SPECS`` tuple;
:func:`builtin_registry` collects them into a fresh :class:`ActionRegistry`.
The directory records the actions exchange live in :mod:`~wfbench.actions.records`.
The category modules are imported on first use, by the registry or by name.
"""

import importlib
from typing import TYPE_CHECKING, Any

from wfbench.actions.registry import ActionRegistry, ActionSpec, builtin_registry

if TYPE_CHECKING:
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

#: The category modules, imported on first use (``wfbench.actions.http`` pulls in
#: ``http.client``, ``ssl`` and ``email``; a run of ``core.log`` needs none of it).
_SUBMODULES = frozenset(
    {"applications", "commands", "core", "devices", "groups", "http", "notify", "records", "users"}
)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"wfbench.actions.{name}")
    raise AttributeError(f"module 'wfbench.actions' has no attribute {name!r}")


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
