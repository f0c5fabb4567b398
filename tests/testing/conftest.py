"""A seeded store file (the sample organisation and workflows); each test gets a copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wfbench.workbench import Workbench

FIXTURES = Path(__file__).parent / "fixtures"
# The cases files there are inputs of these tests, not tests of this suite.
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    Workbench(path).init(demo=True)
    return path


@pytest.fixture
def db(tmp_path: Path, demo_store: Path) -> Path:
    """A fresh copy of the seeded store file."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, path)
    return path


@pytest.fixture
def wb(db: Path) -> Workbench:
    return Workbench(db)
