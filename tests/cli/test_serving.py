"""wfbench.cli.serving: ``wfbench serve`` and ``wfbench apikey create/list/revoke``."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import pytest

from wfbench.cli import main
from wfbench.workbench import Workbench

from .conftest import Wfbench


def test_serve_says_when_it_cannot_listen_and_when_no_key_exists(
    wfbench: Wfbench, db: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = wfbench("--db", db, "serve", "--port", port)
    assert result.code == 2 and result.out == ""
    lines = result.err.splitlines()
    assert lines[0].startswith("wfbench serve: no API key yet, so every call will be refused")
    assert lines[1].startswith(f"wfbench serve: cannot listen on 127.0.0.1:{port}: ")
    assert lines[1].endswith("choose another --port or --host")


def test_apikey_cli_creates_lists_and_revokes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "keys.duckdb")

    def wfbench(*args: str) -> tuple[int, str, str]:
        out = io.StringIO()
        code = main(["--db", db, *args], out=out)
        return code, out.getvalue(), capsys.readouterr().err

    code, key, err = wfbench("apikey", "create", "ci-bot", "--role", "runner")
    assert code == 0, err
    key = key.strip()
    assert key.startswith("wfb_") and len(key) > 40 and "shown only once" in err
    code, _, err = wfbench("apikey", "create", "ci-bot", "--role", "viewer")
    assert code == 2 and "revoke it first" in err
    assert wfbench("apikey", "create", "x", "--role", "admin")[0] == 2
    code, listed, _ = wfbench("apikey", "list", "--json")
    (entry,) = json.loads(listed)
    assert set(entry) == {"name", "role", "created_at", "last_used_at", "revoked"}
    assert (entry["name"], entry["role"], entry["revoked"]) == ("ci-bot", "runner", False)
    assert key not in listed and key not in wfbench("apikey", "list")[1]
    assert wfbench("apikey", "revoke", "ci-bot")[0] == 0
    code, _, err = wfbench("apikey", "revoke", "ci-bot")
    assert code == 2 and "no active API key" in err
    (entry,) = json.loads(wfbench("apikey", "list", "--json")[1])
    assert entry["revoked"] is True
    assert Workbench(db).access.verify_key(key) is None
    assert wfbench("apikey", "create", "ci-bot", "--role", "viewer")[0] == 0  # a new key
