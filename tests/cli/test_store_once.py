"""A command opens the store file once (issue 12, item 1), however many operations it makes;
a command that needs no store does not create one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wfbench.store.session import StoreSession

from .conftest import Wfbench

PING = {
    "format": "wfbench/v1",
    "name": "Ping",
    "run_as": "read_only",
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "ping"}}],
}


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of every connection the store makes, in order."""
    seen: list[str] = []
    real = StoreSession._connect

    def counting(self: StoreSession) -> object:
        seen.append(self.path)
        return real(self)

    monkeypatch.setattr(StoreSession, "_connect", counting)
    return seen


def test_each_command_opens_the_store_once(
    wfbench: Wfbench, db: Path, tmp_path: Path, opened: list[str]
) -> None:
    ping = tmp_path / "ping.json"
    ping.write_text(json.dumps(PING), encoding="utf-8")
    assert wfbench("--db", db, "init").code == 0
    for args in (
        ("import", ping),
        ("run", "Ping", "--input", "{}"),
        ("run", "Ping", "--input", "{}", "--json"),
        ("runs", "--json"),
        ("list",),
        ("disable", "Ping"),
        ("enable", "Ping"),
    ):
        opened.clear()
        result = wfbench("--db", db, *args)
        assert result.code == 0, (args, result.err)
        assert len(opened) == 1, (args, opened)
    run_id = json.loads(wfbench("--db", db, "runs", "--json").out)[0]["run_id"]
    opened.clear()
    assert wfbench("--db", db, "show", run_id).code == 0
    assert len(opened) == 1


def test_a_command_without_a_store_creates_none(
    wfbench: Wfbench, tmp_path: Path, opened: list[str]
) -> None:
    absent = tmp_path / "nothing.duckdb"
    assert wfbench("--db", absent, "roles").code == 0
    assert not absent.exists() and opened == []
