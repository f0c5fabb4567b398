"""Fixtures of the store's tests: the contract fixture (memory and file) and a file path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wfbench.store import Store

from .support import make_clock, make_ids


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The contract fixture: the same behaviour in memory and in a file."""
    path = ":memory:" if request.param == "memory" else tmp_path / "wfbench.duckdb"
    s = Store(path, lock_timeout=5, clock=make_clock(), ids=make_ids())
    yield s
    s.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wfbench.duckdb"


@pytest.fixture
def memory_store() -> Iterator[Store]:
    """A store in memory alone: for a module's own logic, where the file adds nothing."""
    s = Store(":memory:", lock_timeout=5, clock=make_clock(), ids=make_ids())
    yield s
    s.close()
