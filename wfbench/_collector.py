"""The cyclic garbage collector paused while wfbench's modules load.

Importing the façade creates a few hundred thousand objects (pydantic's schemas, classes,
DuckDB's Python layer), none of which is garbage; each 700 new container objects the
collector scans the young ones anyway, and on a one-step ``wfbench run`` that scanning was
about a tenth of the start-up (some 20 ms). :func:`paused` turns collection off for the
block and back on after it (only if it was on: a caller who turned it off keeps it off).
Reference counting still frees everything as usual; cycles made meanwhile are collected
at the next collection after the block.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Collection off for the block (imports), back to what it was afterwards."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
