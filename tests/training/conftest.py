"""A seeded store file; each test gets a copy."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from wfbench.workbench import Workbench

sys.path.insert(0, str(Path(__file__).parent))  # solutions.py, for the tests and learners


@pytest.fixture(scope="session")
def class_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("class") / "demo.duckdb"
    Workbench(path).init(demo=True)
    return path


@pytest.fixture
def db(tmp_path: Path, class_template: Path) -> Path:
    path = tmp_path / "store.duckdb"
    shutil.copyfile(class_template, path)
    return path


@pytest.fixture
def wb(db: Path) -> Workbench:
    return Workbench(db)
