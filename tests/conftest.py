"""Fixtures shared by the directory and action-handler tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from wfbench.directory import seed_demo


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding the seeded demo directory; tests work on copies of it."""
    path = tmp_path_factory.mktemp("seed") / "seeded.duckdb"
    connection = duckdb.connect(str(path))
    seed_demo(connection)
    connection.close()
    return path


@pytest.fixture
def con(tmp_path: Path, seeded_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a fresh copy of the seeded directory."""
    path = tmp_path / "directory.duckdb"
    shutil.copyfile(seeded_file, path)
    connection = duckdb.connect(str(path))
    yield connection
    connection.close()
