"""Run every notebook in this folder as a test, each on a fresh store of its own.

pytest collects ``*.ipynb`` files because ``--nbval-lax`` is in ``addopts``
(pyproject.toml): every cell must run without an error; outputs are not
compared, since the committed notebooks keep none.

nbval starts one kernel per notebook, in the setup of the notebook's
collector, which pytest runs inside the setup of the notebook's first cell.
The hook below runs before that (``tryfirst``) and points ``WFBENCH_DB`` at a
new file in a new temporary folder; the kernel inherits the environment, so
``Workbench()`` in the notebook opens that file and ``wb.init(demo=True)``
seeds it. The trainer's class is served on a free port (``WFBENCH_CLASS_PORT=0``;
its fixed port, 8000, may be taken on a machine that runs tests), and no class board
of the environment is posted to (``WFBENCH_CLASS_URL``/``KEY`` unset). Once the
notebook's last cell is torn down (its kernel stopped), the folder is removed and the
environment is put back as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

ENV = "WFBENCH_DB"
#: Set for each notebook's kernel (``None``: unset), besides its store.
CLASS_ENV: dict[str, str | None] = {
    "WFBENCH_CLASS_PORT": "0",
    "WFBENCH_CLASS_URL": None,
    "WFBENCH_CLASS_KEY": None,
}


class _Store:
    """The notebook being run, its store folder, and the environment it replaced."""

    notebook: Path | None = None
    folder: str | None = None
    saved: ClassVar[dict[str, str | None]] = {}


def _is_notebook(item: pytest.Item | None) -> bool:
    return item is not None and item.path.suffix == ".ipynb"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not _is_notebook(item) or item.path == _Store.notebook:
        return
    _Store.notebook = item.path
    _Store.folder = tempfile.mkdtemp(prefix=f"wfbench-{item.path.stem}-")
    wanted = {ENV: str(Path(_Store.folder) / "wfbench.duckdb"), **CLASS_ENV}
    _Store.saved = {name: os.environ.get(name) for name in wanted}
    for name, value in wanted.items():
        _set(name, value)


def _set(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield  # the notebook's kernel is stopped in here, after its last cell
    if not _is_notebook(item) or (nextitem is not None and nextitem.path == item.path):
        return
    for name, value in _Store.saved.items():
        _set(name, value)
    if _Store.folder is not None:
        shutil.rmtree(_Store.folder, ignore_errors=True)
    _Store.notebook = _Store.folder = None
    _Store.saved = {}
