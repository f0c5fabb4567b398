"""Fixtures of the façade's tests: a workbench in memory (each test its own)."""

from __future__ import annotations

import pytest

from wfbench.workbench import Workbench


@pytest.fixture
def memory_wb() -> Workbench:
    """A workbench on a store in memory: nothing on disk, nothing seeded."""
    return Workbench(":memory:")
