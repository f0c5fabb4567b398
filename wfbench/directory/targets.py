"""Which directory a run acts on: the embedded one (no name) or a SCIM connector's.

:func:`resolve` turns a run's ``directory=`` name into a :class:`ScimTarget` (or
``None`` for the embedded directory), refusing a name that is no SCIM connector;
:func:`unsupported_steps` lists the steps a SCIM directory cannot do, so a run is
refused before anything runs.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from wfbench.actions.context import Connector
from wfbench.errors import UnknownDirectory
from wfbench.model import ActionNode, Node, iter_nodes

__all__ = [
    "EMBEDDED",
    "NOT_ON_SCIM",
    "ScimTarget",
    "resolve",
    "scim_target",
    "unsupported_steps",
]

#: The name history records for a run on the embedded directory.
EMBEDDED = "embedded"
#: Action categories (and actions) a SCIM directory cannot do.
NOT_ON_SCIM = ("devices.", "applications.", "commands.", "users.reset_mfa")


@dataclass(frozen=True)
class ScimTarget:
    """A SCIM 2.0 service a run may act on: what a ``kind="scim"`` connector names.

    Holds the *name* of the environment variable with the bearer token, never the token.
    """

    name: str
    base_url: str
    token_env: str | None
    timeout_s: float = 30.0

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.base_url).netloc


def scim_target(connector: Connector) -> ScimTarget:
    """The SCIM service a ``kind="scim"`` connector names."""
    return ScimTarget(
        name=connector.name,
        base_url=connector.base_url,
        token_env=connector.token_env,
        timeout_s=connector.timeout_s,
    )


def resolve(name: str | None, connectors: Mapping[str, Connector]) -> ScimTarget | None:
    """The SCIM target a run named, or ``None`` for the embedded directory."""
    if name is None or name == EMBEDDED:
        return None
    connector = connectors.get(name)
    scim = sorted(n for n, c in connectors.items() if c.kind == "scim")
    if connector is None or connector.kind != "scim":
        what = "is an HTTP connector, not a SCIM one" if connector else "is no connector"
        known = ", ".join(scim) or "none yet: add one with kind='scim'"
        raise UnknownDirectory(
            f"directory {name!r} {what}; name a SCIM connector ({known}) or leave "
            "directory out for the embedded directory"
        )
    return scim_target(connector)


def unsupported_steps(steps: Iterable[Node], target: ScimTarget) -> list[tuple[str, str]]:
    """``(node id, message)`` for each step a SCIM directory cannot do."""
    return [
        (
            node.id,
            f"step {node.id!r} uses {node.action}, which SCIM directory {target.name!r} "
            "cannot do (SCIM has users and groups only); run it on the embedded directory "
            "or remove the step",
        )
        for node in iter_nodes(list(steps))
        if isinstance(node, ActionNode) and node.action.startswith(NOT_ON_SCIM)
    ]
