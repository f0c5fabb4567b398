"""Run every notebook in this folder as a test, each on a fresh store of its own.

pytest collects ``*.ipynb`` files because ``--nbval-lax`` is in ``addopts``
(pyproject.toml): every cell must run without an error; outputs are not
compared, since the committed notebooks keep none.

nbval starts one kernel per notebook, in the setup of the notebook's
collector, which pytest runs inside the setup of the notebook's first cell.
The hook below runs before that (``tryfirst``) and points ``WFBENCH_DB`` at a
new file in a new temporary folder; the kernel inherits the environment, so
``Workbench()`` in the notebook opens that file and ``wb.init(demo=True)``
seeds it. Once the notebook's last cell is torn down (its kernel stopped),
the folder is removed and ``WFBENCH_DB`` is put back as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ENV = "WFBENCH_DB"


class _Store:
    """The notebook being run, its store folder, and the WFBENCH_DB it replaced."""

    notebook: Path | None = None
    folder: str | None = None
    saved: str | None = None


def _is_notebook(item: pytest.Item | None) -> bool:
    return item is not None and item.path.suffix == ".ipynb"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not _is_notebook(item) or item.path == _Store.notebook:
        return
    _Store.notebook = item.path
    _Store.saved = os.environ.get(ENV)
    _Store.folder = tempfile.mkdtemp(prefix=f"wfbench-{item.path.stem}-")
    os.environ[ENV] = str(Path(_Store.folder) / "wfbench.duckdb")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield  # the notebook's kernel is stopped in here, after its last cell
    if not _is_notebook(item) or (nextitem is not None and nextitem.path == item.path):
        return
    if _Store.saved is None:
        os.environ.pop(ENV, None)
    else:
        os.environ[ENV] = _Store.saved
    if _Store.folder is not None:
        shutil.rmtree(_Store.folder, ignore_errors=True)
    _Store.notebook = _Store.folder = _Store.saved = None
