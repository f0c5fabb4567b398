"""wfbench.transactions: one transaction per block, or the caller's."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from wfbench.transactions import in_transaction, transaction


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "t.duckdb"))
    connection.execute("CREATE TABLE t (x INTEGER)")
    return connection


def test_in_transaction_tells_an_open_transaction(con: duckdb.DuckDBPyConnection) -> None:
    assert not in_transaction(con)
    con.begin()
    assert in_transaction(con)
    con.rollback()
    assert not in_transaction(con)


def test_a_block_commits_or_rolls_back_as_one(con: duckdb.DuckDBPyConnection) -> None:
    with transaction(con):
        con.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(RuntimeError), transaction(con):
        con.execute("INSERT INTO t VALUES (2)")
        raise RuntimeError("undo")
    assert con.execute("SELECT list(x) FROM t").fetchone() == ([1],)


def test_inside_the_callers_transaction_the_caller_decides(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.begin()
    with transaction(con):
        con.execute("INSERT INTO t VALUES (3)")
    assert in_transaction(con)  # not committed by the block
    con.rollback()
    assert con.execute("SELECT count(*) FROM t").fetchone() == (0,)
