"""DuckDB transactions: the one helper the store and the directory share.

A leaf module (it imports only DuckDB) so that both the store and the directory,
which sit on different layers, can use it without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

__all__ = ["in_transaction", "transaction"]


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` is inside an explicit transaction.

    Asked rather than tried: DuckDB has no flag for it and a refused ``BEGIN``
    aborts the open transaction; but outside one every statement gets a new
    transaction id.
    """
    first = con.execute("SELECT txid_current()").fetchone()
    return first == con.execute("SELECT txid_current()").fetchone()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction on ``con``, or in the caller's if one is open.

    Yields ``con``. Rolls back when the block raises; the caller's transaction is
    left to the caller to commit or roll back.
    """
    if in_transaction(con):
        yield con
        return
    con.begin()
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    con.commit()
