"""The directory's tables: users, groups, memberships, devices, applications,
bindings, the commands run on devices and the outbox of sent email."""

from __future__ import annotations

from typing import Final

import duckdb

#: The tables of the directory, in creation order.
DIRECTORY_TABLE_NAMES: Final[tuple[str, ...]] = (
    "users",
    "groups",
    "memberships",
    "devices",
    "applications",
    "bindings",
    "commands",
    "outbox",
)

#: ``CREATE TABLE IF NOT EXISTS`` statements, one per table of :data:`DIRECTORY_TABLE_NAMES`.
#: ``groups`` is a keyword in window frames, so it is always quoted.
DIRECTORY_TABLES: Final[tuple[str, ...]] = (
    """CREATE TABLE IF NOT EXISTS users (
        id VARCHAR PRIMARY KEY,
        email VARCHAR NOT NULL UNIQUE,
        first_name VARCHAR NOT NULL,
        last_name VARCHAR NOT NULL,
        department VARCHAR NOT NULL,
        employee_type VARCHAR NOT NULL,
        manager_email VARCHAR,
        status VARCHAR NOT NULL,
        mfa_enrolled BOOLEAN NOT NULL,
        created_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS "groups" (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL UNIQUE,
        description VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS memberships (
        group_id VARCHAR NOT NULL,
        user_id VARCHAR NOT NULL,
        added_at TIMESTAMP NOT NULL,
        PRIMARY KEY (group_id, user_id)
    )""",
    """CREATE TABLE IF NOT EXISTS devices (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        os VARCHAR NOT NULL,
        owner_id VARCHAR,
        status VARCHAR NOT NULL,
        last_seen TIMESTAMP
    )""",
    """CREATE TABLE IF NOT EXISTS applications (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL UNIQUE,
        description VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS bindings (
        application_id VARCHAR NOT NULL,
        user_id VARCHAR NOT NULL,
        bound_at TIMESTAMP NOT NULL,
        PRIMARY KEY (application_id, user_id)
    )""",
    """CREATE TABLE IF NOT EXISTS commands (
        id VARCHAR PRIMARY KEY,
        device_id VARCHAR NOT NULL,
        command VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        exit_code INTEGER,
        output VARCHAR NOT NULL,
        run_id VARCHAR,
        created_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS outbox (
        id VARCHAR PRIMARY KEY,
        to_addr VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        body VARCHAR NOT NULL,
        run_id VARCHAR,
        created_at TIMESTAMP NOT NULL
    )""",
)


def create_directory(con: duckdb.DuckDBPyConnection) -> None:
    """Create the directory's tables that do not exist yet (safe to call again)."""
    for ddl in DIRECTORY_TABLES:
        con.execute(ddl)
