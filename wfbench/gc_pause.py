"""The cyclic garbage collector kept off wfbench's modules while they load.

Importing the façade creates a few hundred thousand objects (pydantic's schemas, classes,
DuckDB's Python layer), none of which is garbage; every 700 new container objects the
collector scans the young ones anyway, and on a one-step ``wfbench run`` that scanning was
a tenth of the start-up. :func:`paused` turns collection off for the block and back on
after it (only if it was on: a caller who turned it off keeps it off). Reference counting
frees everything as usual meanwhile.

Turned back on, the collector would scan everything the block made at its next
collection. In a process that :func:`freeze_after_imports` (the ``wfbench`` command), what
exists when the block ends is frozen instead (``gc.freeze``): modules, classes and schemas
live as long as the process, and later collections never scan them. A notebook kernel is
not frozen: objects it made before importing wfbench stay collectable.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_freeze = False


def freeze_after_imports() -> None:
    """Freeze what exists when a :func:`paused` block ends (a command's process)."""
    global _freeze
    _freeze = True


@contextmanager
def paused() -> Iterator[None]:
    """Collection off for the block (imports), back to what it was afterwards."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _freeze:
            gc.freeze()
        if was_on:
            gc.enable()
