"""What an action's handler is given when it runs: :class:`ActionContext`.

A handler is ``handler(params, ctx) -> output`` where ``params`` is an
instance of the action's input model and the result is an instance of (or a
mapping that validates as) its output model. Handlers raise
:class:`~wfbench.errors.ActionError` with a sentence naming what was looked
for when something is not there.

In a dry run the built-in directory actions run as usual against the run's
directory, whose writes a dry run rolls back (a sandbox transaction), and
describe the change with :meth:`ActionContext.change` ("would …"); their spec
says ``callable_in_dry_run=True``. The engine never calls a side-effecting
handler that does not during a dry run. ``ctx.dry_run`` tells a custom handler
that it runs in a dry run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wfbench.errors import (  # noqa: F401  (re-exported for handlers)
    ActionError,
    PermissionDenied,
    RunAborted,
    RunCancelled,
    StepTimeout,
)


@dataclass(frozen=True)
class Connector:
    """A named endpoint: base URL and how to authenticate.

    ``kind="http"`` (the default) is for ``http.request``; ``kind="scim"`` names a
    SCIM 2.0 service (RFC 7644) a run may act on (``wb.run(…, directory=NAME)``),
    authenticated with a bearer token (``auth="bearer"``, ``token_env``).

    Secrets are never held here: only the *names* of environment variables,
    read at call time.
    """

    name: str
    base_url: str
    auth: Literal["none", "basic", "bearer", "header"] = "none"
    username_env: str | None = None  # basic
    password_env: str | None = None  # basic
    token_env: str | None = None  # bearer, and the header value for "header"
    header_name: str | None = None  # header
    timeout_s: float = 30.0
    kind: Literal["http", "scim"] = "http"


@dataclass
class ActionContext:
    """The run-time environment of one attempt of one step."""

    run_id: str
    path: str
    """The step's path in the run, for example ``is_contractor.then.each_group[3].leave``."""
    dry_run: bool
    permissions: frozenset[str]
    """The run-as role's permissions; the directory refuses what they do not cover."""
    directory: Any = None
    """The run's directory (``None`` without a store): for a custom action, a line to the
    run's thread offering only the directory's permission-checked operations
    (``get_user``, ``suspend_user`` …, :mod:`wfbench.engine.channel`), never the directory
    object or its connection."""
    connectors: Mapping[str, Connector] = field(default_factory=dict)
    deadline: float | None = None
    """``time.monotonic()`` past which the attempt has timed out, or ``None``."""
    cancelled: Callable[[], bool] = lambda: False
    changes: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    def change(self, text: str) -> None:
        """Record the change this step makes (or, in a dry run, would make)."""
        self.changes.append(text)

    def log(self, message: str) -> None:
        self.logs.append(message)

    def require(self, *permissions: str) -> None:
        """Refuse unless the run-as role holds every one of ``permissions``."""
        missing = [p for p in permissions if p not in self.permissions]
        if missing:
            raise PermissionDenied(
                f"the run-as role lacks {', '.join(missing)}; choose a role that has "
                "them (`wfbench roles`)"
            )

    def remaining(self) -> float | None:
        """Seconds left before the deadline (``None``: no deadline)."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def check(self) -> None:
        """Raise if the run was cancelled or the attempt is past its deadline."""
        if self.cancelled():
            raise RunCancelled("the run was cancelled")
        left = self.remaining()
        if left is not None and left <= 0:
            raise StepTimeout("the step ran past its timeout_s")

    def sleep(self, seconds: float) -> None:
        """Wait, waking early to honour cancellation and the deadline."""
        end = time.monotonic() + seconds
        while True:
            self.check()
            left = end - time.monotonic()
            if left <= 0:
                return
            budget = self.remaining()
            time.sleep(min(left, 0.05, budget if budget is not None else left))
