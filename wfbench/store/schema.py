"""The store's tables. ``runs`` and ``steps`` follow from :mod:`wfbench.runs`.

Ids are ``VARCHAR``; inputs, outputs, parameters and reasons are DuckDB
``JSON``; timestamps are ``TIMESTAMPTZ`` read back in UTC (every connection
sets ``TimeZone = 'UTC'``), so Python values are timezone-aware UTC datetimes
and DataFrame columns are ``datetime64[us, UTC]``. ``runs`` and ``steps`` carry
no index: appends stay cheap and the analytical queries scan columns anyway.
"""

from __future__ import annotations

from typing import Final

from wfbench.runs import RunRecord, StepRecord, ddl

#: Bumped whenever the tables change shape.
SCHEMA_VERSION: Final = 1

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
    ddl(StepRecord, "steps"),
    """CREATE TABLE IF NOT EXISTS connectors (
        name VARCHAR PRIMARY KEY, base_url VARCHAR NOT NULL, auth VARCHAR NOT NULL,
        username_env VARCHAR, password_env VARCHAR, token_env VARCHAR,
        header_name VARCHAR, timeout_s DOUBLE NOT NULL)""",
    # Custom roles, so every process on the file knows them (built-ins live in code).
    """CREATE TABLE IF NOT EXISTS roles (
        name VARCHAR PRIMARY KEY, permissions JSON NOT NULL, description VARCHAR NOT NULL)""",
    # HTTP API keys: only the SHA-256 of each key is kept (see Store.create_api_key).
    """CREATE TABLE IF NOT EXISTS api_keys (
        key_hash VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, role VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL, last_used_at TIMESTAMPTZ,
        revoked BOOLEAN NOT NULL DEFAULT false, revoked_at TIMESTAMPTZ)""",
)
