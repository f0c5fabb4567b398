"""The training room's reset: the sample organisation back as seeded, nothing else touched."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wfbench.directory import DIRECTORY_TABLE_NAMES, seed_demo
from wfbench.transactions import transaction

if TYPE_CHECKING:
    from wfbench.workbench import Workbench


def reset_directory(wb: Workbench) -> dict[str, int]:
    """Empty every directory table and seed the sample organisation again, in one transaction.

    Definitions, history, keys and roles are other tables and stay as they are. Returns
    the rows seeded per table.
    """
    with wb.hold() as con, transaction(con):
        for table in reversed(DIRECTORY_TABLE_NAMES):
            con.execute(f'DELETE FROM "{table}"')
        return seed_demo(con)


__all__ = ["reset_directory"]
