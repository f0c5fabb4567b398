"""Fixtures shared across the suites: a seeded directory (directory and action-handler
tests) and a demo store with the sample workflows (``db``, ``wb``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from wfbench.directory import seed_demo
from wfbench.workbench import Workbench


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding the seeded demo directory, seeded once per session: tests
    work on copies of it (``con``), never on the file itself."""
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


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file made by ``init(demo=True)``: the sample organisation and workflows."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    Workbench(path).init(demo=True)
    return path


@pytest.fixture
def db(tmp_path: Path, demo_store: Path) -> Path:
    """A fresh copy of the demo store file."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, path)
    return path


@pytest.fixture
def wb(db: Path) -> Workbench:
    """A workbench on a fresh copy of the demo store."""
    return Workbench(db)
