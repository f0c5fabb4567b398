"""The training room's reset: the sample organisation back as seeded, nothing else touched."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wfbench.workbench import Workbench


def reset_directory(wb: Workbench) -> dict[str, int]:
    """Empty every directory table and seed the sample organisation again, in one transaction.

    Definitions, history, keys and roles are other tables and stay as they are. Returns
    the rows seeded per table.
    """
    return wb.reset_directory()


__all__ = ["reset_directory"]
