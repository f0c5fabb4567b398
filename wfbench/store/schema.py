"""The store's tables. ``runs`` and ``steps`` follow from :mod:`wfbench.runs`.

Ids are ``VARCHAR``; inputs, outputs, parameters and reasons are DuckDB
``JSON``. **History times are UTC**, stored as plain ``TIMESTAMP`` (``runs`` and
``steps``: ``started_at``, ``ended_at``): grouping a million runs by day then
pays no time-zone conversion per row (``TIMESTAMPTZ`` made that query 2.8×
slower). The store's readers hand them back as timezone-aware UTC datetimes and
``datetime64[us, UTC]`` DataFrame columns; in your own SQL (``wb.sql``) they are
UTC wall-clock times. The other tables keep ``TIMESTAMPTZ`` (read back in UTC:
every connection sets ``TimeZone = 'UTC'``). ``runs`` and ``steps`` carry no
index: appends stay cheap and the analytical queries scan columns anyway.

A store file written by an older wfbench is brought up to date when it is opened
(:func:`migrate`, in the same transaction as the tables' creation); a file from a
newer wfbench is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from wfbench.runs import RunRecord, StepRecord, ddl

#: Bumped whenever the tables change shape (2: history times are UTC ``TIMESTAMP``).
SCHEMA_VERSION: Final = 2

DDL: Final = (
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS workflows (
        id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, description VARCHAR NOT NULL,
        type VARCHAR NOT NULL, enabled BOOLEAN NOT NULL, run_as VARCHAR NOT NULL,
        version INTEGER NOT NULL, deleted BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
        deleted_at TIMESTAMPTZ)""",
    """CREATE TABLE IF NOT EXISTS workflow_versions (
        workflow_id VARCHAR NOT NULL, version INTEGER NOT NULL, name VARCHAR NOT NULL,
        definition JSON NOT NULL, saved_at TIMESTAMPTZ NOT NULL, saved_by VARCHAR,
        PRIMARY KEY (workflow_id, version))""",
    ddl(RunRecord, "runs"),
    # A store made before batches existed gets their column (the last one, as in RunRecord).
    "ALTER TABLE runs ADD COLUMN IF NOT EXISTS batch_id VARCHAR",
    # …and the directory each run acted on (after batch_id, as in RunRecord).
    "ALTER TABLE runs ADD COLUMN IF NOT EXISTS directory VARCHAR",
    ddl(StepRecord, "steps"),
    # Effect marks: a side effect that may have started in a run (store/effects.py).
    """CREATE TABLE IF NOT EXISTS effects (
        run_id VARCHAR NOT NULL, seq INTEGER NOT NULL, action VARCHAR NOT NULL,
        idempotent BOOLEAN NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS connectors (
        name VARCHAR PRIMARY KEY, base_url VARCHAR NOT NULL, auth VARCHAR NOT NULL,
        username_env VARCHAR, password_env VARCHAR, token_env VARCHAR,
        header_name VARCHAR, timeout_s DOUBLE NOT NULL)""",
    # Connectors of kind scim (SCIM 2.0 directories); a store made before has HTTP ones only.
    "ALTER TABLE connectors ADD COLUMN IF NOT EXISTS kind VARCHAR DEFAULT 'http'",
    # Custom roles, so every process on the file knows them (built-ins live in code).
    """CREATE TABLE IF NOT EXISTS roles (
        name VARCHAR PRIMARY KEY, permissions JSON NOT NULL, description VARCHAR NOT NULL)""",
    # A canvas's unsaved draft, kept on every edit so it outlives a kernel restart (issue 21).
    """CREATE TABLE IF NOT EXISTS drafts (
        key VARCHAR PRIMARY KEY, definition JSON NOT NULL, cases JSON,
        kept_at TIMESTAMPTZ NOT NULL)""",
    # The Test tab's cases, saved with the version they were saved with.
    """CREATE TABLE IF NOT EXISTS workflow_cases (
        workflow_id VARCHAR NOT NULL, version INTEGER NOT NULL, cases JSON NOT NULL,
        PRIMARY KEY (workflow_id, version))""",
    # HTTP API keys: only the SHA-256 of each key is kept (see Store.create_api_key).
    """CREATE TABLE IF NOT EXISTS api_keys (
        key_hash VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, role VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL, last_used_at TIMESTAMPTZ,
        revoked BOOLEAN NOT NULL DEFAULT false, revoked_at TIMESTAMPTZ)""",
)

#: The history columns version 2 turned from ``TIMESTAMPTZ`` into UTC ``TIMESTAMP``.
_UTC_COLUMNS: Final = (
    ("runs", "started_at"),
    ("runs", "ended_at"),
    ("steps", "started_at"),
    ("steps", "ended_at"),
)


def stored_time(value: datetime | None) -> datetime | None:
    """A history time as stored: UTC wall clock, no zone (a naive value is taken as UTC)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def migrate(cur: Any, version: int) -> list[str]:
    """Bring tables at schema ``version`` up to :data:`SCHEMA_VERSION`; returns what changed.

    Runs inside the caller's transaction, so a failure leaves the file as it was.
    1 → 2: the history times become UTC ``TIMESTAMP`` (the same instants).
    """
    done: list[str] = []
    if version < 2:
        for table, column in _UTC_COLUMNS:
            kind = cur.execute(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = ? AND column_name = ?",
                [table, column],
            ).fetchone()
            if kind is not None and kind[0].startswith("TIMESTAMP WITH TIME ZONE"):
                cur.execute(
                    f"ALTER TABLE {table} ALTER COLUMN {column} TYPE TIMESTAMP "
                    f"USING timezone('UTC', {column})"
                )
                done.append(f"{table}.{column}")
    cur.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    return done
