"""A fresh store with the remote test action and its workflow saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfbench import Workbench

from . import actions


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    bench = Workbench(tmp_path / "batch.duckdb")
    bench.init()
    actions.register(bench)
    bench.save(actions.workflow())
    return bench
