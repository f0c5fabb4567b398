"""The directory's tables: users, groups, memberships, devices, applications,
bindings, the commands run on devices and the outbox of sent email.

The ids the directory makes (``u_0241``, ``g_16``, ``cmd_000001``, ``msg_000001``)
come from one DuckDB sequence per table (:data:`ID_FORMATS`): a new id costs the
same whatever the table holds (finding ``max(id)`` scanned the whole table, the
cost of every email grew with the outbox). A sequence does not roll back, so an
id a dry run or a failed run used is not given again (a gap, never a clash).
Sequences start above the ids already there: :func:`create_directory` makes the
missing ones, :func:`sync_id_sequences` realigns them after ids were written
directly (the demo seed).
"""

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
    sync_id_sequences(con)


#: The ids the directory makes: table -> (prefix, digits); each has the sequence
#: :func:`id_sequence` names.
ID_FORMATS: Final[dict[str, tuple[str, int]]] = {
    "users": ("u_", 4),
    "groups": ("g_", 2),
    "commands": ("cmd_", 6),
    "outbox": ("msg_", 6),
}


def id_sequence(table: str) -> str:
    """The name of the sequence that numbers *table*'s new ids."""
    return f"directory_{table}_ids"


def sync_id_sequences(con: duckdb.DuckDBPyConnection, *, all_tables: bool = False) -> None:
    """Make the missing id sequences (with *all_tables*, remake every one), each starting
    after the highest id its table holds."""
    have = {
        name
        for (name,) in con.execute(
            "SELECT sequence_name FROM duckdb_sequences() WHERE starts_with(sequence_name, ?)",
            ["directory_"],
        ).fetchall()
    }
    for table, (prefix, _) in ID_FORMATS.items():
        name = id_sequence(table)
        if name in have and not all_tables:
            continue
        row = con.execute(
            f'SELECT max(TRY_CAST(substr(id, {len(prefix) + 1}) AS BIGINT)) FROM "{table}" '
            "WHERE starts_with(id, ?)",
            [prefix],
        ).fetchone()
        start = int((row[0] if row else None) or 0) + 1
        con.execute(f"CREATE OR REPLACE SEQUENCE {name} START WITH {start}")
