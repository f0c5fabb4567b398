"""The HTTP API against a real server on 127.0.0.1 (uvicorn in a thread, or `wfbench serve`).

The store is seeded once for the whole package (the demo organisation, the two samples and
two small workflows) with one key per caller role; each test serves its own copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from wfbench.workbench import Workbench

from .support import HELLO, SLOW, Api, Seed


@pytest.fixture(scope="package")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    path = tmp_path_factory.mktemp("api") / "seed.duckdb"
    wb = Workbench(path)
    wb.init(demo=True)
    wb.save(HELLO)
    wb.save(SLOW)
    keys = {role: wb.access.create_key(role, role) for role in ("viewer", "runner", "editor")}
    keys["revoked"] = wb.access.create_key("gone", "editor")
    wb.access.revoke_key("gone")
    wb.close()
    return Seed(path, keys)


@pytest.fixture
def api(seed: Seed, tmp_path: Path) -> Iterator[Api]:
    path = tmp_path / "store.duckdb"
    shutil.copy(seed.path, path)
    wb = Workbench(path)
    server = wb.serve()
    try:
        yield Api(wb, server, path, seed.keys)
    finally:
        server.stop()
        wb.close()


@pytest.fixture(scope="module")
def fuzz_api(seed: Seed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"
    shutil.copy(seed.path, path)
    wb = Workbench(path)
    server = wb.serve()
    try:
        yield Api(wb, server, path, seed.keys)
    finally:
        server.stop()
        wb.close()
