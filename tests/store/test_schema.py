"""wfbench.store.schema: the tables, stored times and the migration from version 1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb

from wfbench.store.schema import SCHEMA_VERSION, migrate, stored_time


def test_stored_time_is_naive_utc() -> None:
    plus_two = datetime(2026, 3, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert stored_time(plus_two) == datetime(2026, 3, 1, 10)
    assert stored_time(datetime(2026, 3, 1, 12)) == datetime(2026, 3, 1, 12)
    assert stored_time(None) is None
    assert stored_time(datetime(2026, 3, 1, tzinfo=UTC)).tzinfo is None  # type: ignore[union-attr]


def test_version_1_times_become_utc_timestamps_at_the_same_instant(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("SET TimeZone = 'Europe/Paris'")
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("CREATE TABLE runs (id VARCHAR, started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ)")
    con.execute("CREATE TABLE steps (id VARCHAR, started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ)")
    con.execute("INSERT INTO runs VALUES ('r', '2026-01-01 12:00:00+01', NULL)")
    changed = migrate(con, 1)
    assert changed == ["runs.started_at", "runs.ended_at", "steps.started_at", "steps.ended_at"]
    assert con.execute("SELECT started_at FROM runs").fetchone() == (datetime(2026, 1, 1, 11),)
    version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert version == (str(SCHEMA_VERSION),)
    assert migrate(con, SCHEMA_VERSION) == []  # up to date: nothing changes
