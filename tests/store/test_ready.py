"""Opening a store that has everything runs no CREATE statement; one that lacks a table,
an added column or a directory sequence gets it back (issue 12: start fast)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from wfbench.store import Store
from wfbench.store.ready import is_ready


def _opened(db: Path) -> None:
    store = Store(db, lock_timeout=5)
    with store.session():
        pass
    store.close()


def test_a_complete_store_is_ready(db: Path) -> None:
    _opened(db)
    con = duckdb.connect(str(db))
    try:
        assert is_ready(con)
    finally:
        con.close()


def test_an_empty_file_is_not_ready() -> None:
    con = duckdb.connect(":memory:")
    assert not is_ready(con)


@pytest.mark.parametrize(
    "damage",
    [
        'DROP TABLE "outbox"',
        "DROP TABLE api_keys",
        "ALTER TABLE runs DROP COLUMN batch_id",
        "DROP SEQUENCE directory_users_ids",
        "UPDATE meta SET value = '1' WHERE key = 'schema_version'",
    ],
)
def test_what_is_missing_is_made_again_on_open(db: Path, damage: str) -> None:
    _opened(db)
    con = duckdb.connect(str(db))
    con.execute(damage)
    assert not is_ready(con)
    con.close()
    _opened(db)
    con = duckdb.connect(str(db))
    try:
        assert is_ready(con)
    finally:
        con.close()
