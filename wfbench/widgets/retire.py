"""Closing a replaced graph widget only once the browser has let go of it.

A cytoscape widget counts its views (``_view_count``: the canvas's "it is on
screen" signal). The browser reports each change of that count on the widget's
comm, also when a view is removed. Closing the widget from the kernel while the
browser still shows it, or before the browser has handled its replacement,
makes the browser report the removed view on a comm the kernel has already
closed: ipykernel logs ``No such comm`` to stderr, which JupyterLab shows as
red entries in its log console.

So a replaced (or released) graph is *retired*: detached from the page by its
caller, then closed when the browser reports a count of 0 or less, the report
that it has removed the last view. Without a browser (a notebook executed by
nbval, a test) no report ever comes; so no more than :data:`MOST_PENDING`
retired graphs wait, and past that the oldest is closed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: Retired graphs waiting for the browser's report, at most (the oldest is closed past it).
MOST_PENDING = 32

_pending: list[Any] = []


def retire(widget: Any, close: Callable[[Any], None]) -> None:
    """Close ``widget`` (with ``close(widget)``) once the browser reports it holds no view
    of it; the caller has already taken it off the page."""

    def let_go(change: Mapping[str, Any]) -> None:
        count = change.get("new")
        if isinstance(count, int) and count <= 0 and widget in _pending:
            _pending.remove(widget)
            widget.unobserve(let_go, names="_view_count")
            close(widget)

    widget.observe(let_go, names="_view_count")
    _pending.append(widget)
    while len(_pending) > MOST_PENDING:
        oldest = _pending.pop(0)
        close(oldest)


def pending() -> int:
    """How many retired widgets wait for the browser's report."""
    return len(_pending)


__all__ = ["MOST_PENDING", "pending", "retire"]
