"""Whether a store file already holds everything :meth:`StoreSession.initialize` makes.

Opening a store used to run every ``CREATE TABLE IF NOT EXISTS`` (store and directory)
and the directory's sequence check on each open: about 20 statements, a third of what a
one-step ``wfbench run`` spends in the database. A file that has every table, column and
sequence at this schema version is ready as it is; :func:`is_ready` says so with two
catalogue queries, and ``initialize`` runs its statements only when it is not.
"""

from __future__ import annotations

import functools
import re

import duckdb

from wfbench.directory.schema import DIRECTORY_TABLES, ID_FORMATS, id_sequence
from wfbench.store.schema import DDL, SCHEMA_VERSION

_TABLE = re.compile(r'CREATE TABLE IF NOT EXISTS "?(\w+)"?')
_COLUMN = re.compile(r"ALTER TABLE \"?(\w+)\"? ADD COLUMN IF NOT EXISTS \"?(\w+)\"?")

# duckdb_columns() would cost more than the statements it saves (~10 ms on first use): an
# added column is checked by selecting it from its table instead.
_CATALOGUE = """
SELECT
    (SELECT list(table_name) FROM duckdb_tables()
     WHERE database_name = current_database() AND schema_name = current_schema()),
    (SELECT list(sequence_name) FROM duckdb_sequences()
     WHERE starts_with(sequence_name, 'directory_'))
"""


@functools.cache
def _expected() -> tuple[frozenset[str], list[tuple[str, str]], frozenset[str]]:
    statements = (*DDL, *DIRECTORY_TABLES)
    tables = frozenset(m.group(1) for s in statements if (m := _TABLE.search(s)))
    columns = sorted({(t, c) for s in statements for t, c in _COLUMN.findall(s)})
    sequences = frozenset(id_sequence(table) for table in ID_FORMATS)
    return tables, columns, sequences


def is_ready(cur: duckdb.DuckDBPyConnection) -> bool:
    """Whether every table, added column and directory sequence exists and the schema
    version is this wfbench's: then creating them again would change nothing."""
    tables, columns, sequences = _expected()
    row = cur.execute(_CATALOGUE).fetchone()
    if row is None:
        return False
    have_tables, have_sequences = (set(v or ()) for v in row)
    if not (tables <= have_tables and sequences <= have_sequences):
        return False
    for table, column in columns:
        try:
            cur.execute(f'SELECT "{column}" FROM "{table}" LIMIT 0')
        except duckdb.Error:
            return False
    version = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return version is not None and version[0] == str(SCHEMA_VERSION)
