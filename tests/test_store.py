"""wfbench.store (the package): the Store, its file and its tables."""

from __future__ import annotations

from pathlib import Path

from wfbench.store import SCHEMA_VERSION, Store


def test_a_store_creates_its_file_with_its_tables(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with Store(path) as store:
        assert repr(store) == f"Store({store.path!r})"
        with store.session() as con:
            tables = {
                t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            }
            version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert path.exists()
    assert {"workflows", "workflow_versions", "runs", "steps", "api_keys", "users"} <= tables
    assert version == (str(SCHEMA_VERSION),)
