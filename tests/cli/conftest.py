"""The ``wfbench`` command run in this process through ``main(argv, out)``.

Each test gets its own store file (``--db`` is given for it), and ``$WFBENCH_DB`` points
at a file that does not exist, so a command run without ``--db`` touches nothing real.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from wfbench.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


Wfbench = Callable[..., Result]


@pytest.fixture(autouse=True)
def no_default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WFBENCH_DB", str(tmp_path / "absent.duckdb"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def wfbench(capsys: pytest.CaptureFixture[str]) -> Wfbench:
    """``wfbench(*args)``: run one command; its exit code, standard output and error."""

    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        out = io.StringIO()
        code = main([str(a) for a in args], out=out)
        return Result(code, out.getvalue(), capsys.readouterr().err)

    return run
