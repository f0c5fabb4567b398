"""wfbench.cli.app: ``wfbench app`` serves the packaged workbench notebook with Voilà.

Voilà itself is not started here (tests/e2e/test_app.py drives the page in a browser):
the command line it would run is caught where it is called."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from typing import Any

import pytest

from wfbench.cli.app import APP_NOTEBOOK, app_command

from .conftest import Wfbench


def test_the_command_serves_the_packaged_notebook() -> None:
    command = app_command("/x/store.duckdb", "0.0.0.0", 8866)
    assert APP_NOTEBOOK.is_file() and command[1:4] == ["-m", "voila", str(APP_NOTEBOOK)]
    assert "--port=8866" in command and "--Voila.ip=0.0.0.0" in command
    assert "--no-browser" in command and f"--Voila.root_dir={APP_NOTEBOOK.parent}" in command


class Voila:
    """Stands for ``subprocess.call``: notes each call; answers ``answer`` (or raises it)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.answer: int | BaseException = 0

    def __call__(self, command: list[str], env: dict[str, str]) -> int:
        self.calls.append({"command": command, "env": env})
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


@pytest.fixture
def voila(monkeypatch: pytest.MonkeyPatch) -> Voila:
    stand_in = Voila()
    monkeypatch.setattr(subprocess, "call", stand_in)
    return stand_in


def test_the_app_runs_on_the_store_given(
    wfbench: Wfbench, db: Path, voila: Voila, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.write_bytes(b"")  # only its existence is checked here
    monkeypatch.setenv("WFBENCH_TABS", "1")
    result = wfbench("--db", db, "app", "--port", "8901")
    assert result.code == 0
    assert result.out == f"wfbench app on http://127.0.0.1:8901/ (store {db}); Ctrl-C stops it\n"
    (call,) = voila.calls
    assert call["env"]["WFBENCH_DB"] == str(db) and "WFBENCH_TABS" not in call["env"]
    assert "--port=8901" in call["command"]


def test_a_missing_store_or_voila_is_said_in_one_line(
    wfbench: Wfbench, db: Path, voila: Voila, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = wfbench("--db", db, "app")
    assert result.code == 2 and voila.calls == []
    assert result.err == (
        f"wfbench app: no store at {db}; make one with `wfbench init --demo` or give --db\n"
    )
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n: None if n == "voila" else real(n))
    result = wfbench("--db", db, "app")
    assert result.code == 2 and "Voilà is not installed; pip install 'wfbench[app]'" in result.err


def test_ctrl_c_stops_the_app_quietly_and_a_failed_voila_is_a_usage_error(
    wfbench: Wfbench, db: Path, voila: Voila
) -> None:
    db.write_bytes(b"")
    voila.answer = KeyboardInterrupt()
    assert wfbench("--db", db, "app").code == 0
    voila.answer = 1
    assert wfbench("--db", db, "app").code == 2 and len(voila.calls) == 2
