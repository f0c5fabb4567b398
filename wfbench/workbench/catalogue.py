"""``wb.catalogue``: what a workflow may use: the actions (built-in and custom), the roles
(built-in and custom, saved in the store) and the HTTP connectors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from pydantic import BaseModel

from wfbench.actions import ActionRegistry
from wfbench.actions.context import Connector
from wfbench.roles import Role, RoleRegistry
from wfbench.store import Store

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Catalogue"]


class Catalogue:
    """Actions, roles and connectors of one workbench (``wb.catalogue``)."""

    def __init__(
        self,
        store: Store,
        actions: ActionRegistry,
        roles: RoleRegistry,
        readable_roles: Callable[[], RoleRegistry],
    ) -> None:
        self._store = store
        self._actions = actions
        self._roles = roles
        self._readable_roles = readable_roles

    @overload
    def roles(self, *, format: Literal["frame"] = ...) -> pd.DataFrame: ...
    @overload
    def roles(self, *, format: Literal["objects"]) -> list[Role]: ...
    def roles(self, *, format: Literal["frame", "objects"] = "frame") -> pd.DataFrame | list[Role]:
        """Every role, built-in and custom (those saved in the store too): a table of
        roles and their permissions, or (``format="objects"``) the :class:`Role` objects."""
        found = list(self._readable_roles())
        if format == "objects":
            return found
        import pandas as pd  # on first use: `import wfbench` does not load pandas

        return pd.DataFrame(
            [
                {
                    "role": r.name,
                    "builtin": r.builtin,
                    "permissions": r.sorted_permissions(),
                    "description": r.description,
                }
                for r in found
            ]
        )

    def define_role(self, name: str, permissions: Iterable[str], description: str = "") -> Role:
        """A custom role (saved in the store) from permissions such as ``users:*``."""
        return self._roles.define(name, permissions, description)

    @overload
    def actions(self, *, format: Literal["frame"] = ...) -> pd.DataFrame: ...
    @overload
    def actions(self, *, format: Literal["registry"]) -> ActionRegistry: ...
    def actions(
        self, *, format: Literal["frame", "registry"] = "frame"
    ) -> pd.DataFrame | ActionRegistry:
        """The action catalogue: a table (name, category, permissions, side effects,
        description), or (``format="registry"``) the registry itself, for reading."""
        if format == "registry":
            return self._actions
        import pandas as pd  # on first use: `import wfbench` does not load pandas

        return pd.DataFrame(
            [
                {
                    "action": s.name,
                    "category": s.category,
                    "permissions": sorted(s.permissions),
                    "side_effects": s.side_effects,
                    "description": s.description,
                }
                for s in self._actions
            ]
        )

    def action(
        self,
        name: str,
        *,
        input: type[BaseModel],
        output: type[BaseModel],
        permissions: Iterable[str] = (),
        side_effects: bool = True,
        description: str | None = None,
        exclusive: bool = True,
        category: str | None = None,
        require_one_of: Sequence[str] = (),
        callable_in_dry_run: bool = False,
        dry_run_safe: bool = False,
        idempotent: bool = False,
        remote: bool = False,
    ) -> Callable[[Any], Any]:
        """Decorator: register a Python function as a custom action of this workbench.

        The function is called as ``func(params, ctx)`` with an instance of ``input`` and an
        :class:`~wfbench.actions.context.ActionContext`, and returns an ``output`` (or a dict).
        ``exclusive=False`` lets loop iterations run it at once (it must not use
        ``ctx.directory`` then). ``callable_in_dry_run=True`` lets a dry run call it (what it
        writes to the directory then is rolled back with the dry run's sandbox; it must not
        reach outside the directory); otherwise a dry run only records that it would run.
        ``dry_run_safe=True`` is the former single flag, still accepted: it means
        ``callable_in_dry_run`` and that the action checks everything before it writes (see
        :meth:`ActionRegistry.action <wfbench.actions.ActionRegistry.action>`, which reads
        every flag: they are forwarded as given).
        ``idempotent=True`` says a second call with the same parameters changes nothing more:
        only then is an attempt whose outcome is unknown (timed out while running, its Dask
        worker lost) called again. ``remote=True`` says it uses only its parameters (never
        ``ctx.directory``): a Dask executor may run it on a worker, and calls overlap.
        """
        return self._actions.action(
            name,
            input=input,
            output=output,
            permissions=permissions,
            side_effects=side_effects,
            description=description,
            exclusive=exclusive,
            category=category,
            require_one_of=require_one_of,
            callable_in_dry_run=callable_in_dry_run,
            dry_run_safe=dry_run_safe,
            idempotent=idempotent,
            remote=remote,
        )

    def add_connector(self, connector: Connector) -> None:
        """Save a named HTTP connector (secrets stay in environment variables)."""
        self._store.save_connector(connector)
