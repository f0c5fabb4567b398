"""Fixtures shared across the suites: a seeded directory (directory and action-handler
tests), a demo store with the sample workflows (``db``, ``wb``), and one SCIM server for
the session with people of each test's own (``scim_server``, ``scim_target``,
``scim_people``)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from wfbench.directory import seed_demo
from wfbench.workbench import Workbench


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``make test`` runs the suite on two pytest-xdist workers with ``--dist loadfile``:
    each file (a notebook's cells, a module's tests) runs whole on one worker, in its order,
    with its module fixtures. This keeps the browser suite (tests/e2e/, several files) whole
    on one worker too: one JupyterLab, one Chromium and one screenshots folder, while the
    other worker runs the rest beside it. (xdist's ``loadgroup`` would say this with marks,
    but it writes the group into a node id pytest 9.2 no longer reads.)"""
    from xdist.scheduler import LoadFileScheduling

    class _ByFileBrowserTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "tests/e2e/" if path.startswith("tests/e2e/") else path

    return _ByFileBrowserTogether(config, log)


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


#: The environment variable the unit tests' SCIM target reads its bearer token from.
SCIM_TOKEN_ENV = "WFBENCH_TEST_SCIM_TOKEN"


@pytest.fixture(scope="session")
def scim_server() -> Iterator[Any]:
    """One real ``scim2-server`` on loopback for the session's unit tests of the SCIM
    modules (stopped by PID at the end); each test seeds people of its own
    (:func:`scim_people`), so tests never see each other's. tests/scim/ starts its own,
    empty, per test."""
    from wfbench.testing.scim_server import LocalScimServer

    with LocalScimServer() as running:
        yield running


@pytest.fixture
def scim_target(scim_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The session's SCIM server as a run's target ``corp`` (token in the environment)."""
    from wfbench.directory.targets import ScimTarget

    monkeypatch.setenv(SCIM_TOKEN_ENV, scim_server.token)
    return ScimTarget("corp", scim_server.url, SCIM_TOKEN_ENV, timeout_s=30)


@pytest.fixture
def scim_people(scim_server: Any) -> dict[str, Any]:
    """People of this test alone on the session's SCIM server: ``boss``; ``alice``, a
    contractor managed by boss, in ``eng`` and ``ops``; ``bob`` in ``eng``. Emails and
    group names carry ``tag``; each value is the server's resource."""
    tag = uuid.uuid4().hex[:10]
    boss = scim_server.add_user(f"boss.{tag}@example.com", "Barbara", "Oss", department="mgmt")
    alice = scim_server.add_user(
        f"alice.{tag}@example.com",
        "Alice",
        "Liddell",
        user_type="Contractor",
        manager_id=boss["id"],
    )
    bob = scim_server.add_user(f"bob.{tag}@example.com", "Bob", "Builder")
    eng = scim_server.add_group(f"eng-{tag}", [alice["id"], bob["id"]])
    ops = scim_server.add_group(f"ops-{tag}", [alice["id"]])
    return {"tag": tag, "boss": boss, "alice": alice, "bob": bob, "eng": eng, "ops": ops}
