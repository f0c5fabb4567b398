"""The directory of run ``run-1`` on the seeded demo organisation, at a fixed clock."""

from __future__ import annotations

import duckdb
import pytest

from wfbench.directory import (
    Directory,
)

from .support import clock


@pytest.fixture
def d(con: duckdb.DuckDBPyConnection) -> Directory:
    return Directory(con, run_id="run-1", clock=clock)
