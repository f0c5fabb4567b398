"""What the built-in directory handlers share: finding the directory, reporting changes.

Handlers reach the embedded directory through ``ctx.directory`` (a
:class:`wfbench.directory.Directory` built by the caller with the run's
permissions). :func:`directory_of` hands it over, forwarding every change the
handler makes to the step (``ctx.change``). In a dry run that directory writes
inside a transaction that is rolled back, so handlers need not know.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

from wfbench.actions.context import ActionContext
from wfbench.errors import ActionError

if TYPE_CHECKING:
    from wfbench.directory import Directory

NO_DIRECTORY = "this action needs the embedded directory; open a Workbench store"


@contextmanager
def directory_of(ctx: ActionContext) -> Iterator[Directory]:
    """The run's directory, passing each change made inside the block to ``ctx.change``."""
    directory = ctx.directory
    if directory is None:
        raise ActionError(NO_DIRECTORY)
    with cast("Directory", directory).reporting(ctx.change, ctx.deadline) as bound:
        yield bound
