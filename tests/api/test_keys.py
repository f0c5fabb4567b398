"""Who may call: API keys, their roles, and `wfbench apikey`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from wfbench.cli import main
from wfbench.workbench import Workbench

from .support import (
    API,
    HELLO,
    Api,
    problem,
)

# --------------------------------------------------------------------------- who may call


def test_401_without_a_valid_key(api: Api) -> None:
    with api.client(None) as c:
        missing = c.get(API)
        unknown = c.get(API, headers={"x-api-key": "wfb_" + "x" * 43})
        junk = c.get(API, headers={"x-api-key": "not a key"})
        revoked = c.get(API, headers={"x-api-key": api.keys["revoked"]})
    assert "no x-api-key" in problem(missing, 401, "unauthorized")["detail"]
    for response in (unknown, junk, revoked):
        assert "not valid" in problem(response, 401, "unauthorized")["detail"]
    assert "x-api-key" in missing.headers["www-authenticate"]


def test_403_for_a_role_that_may_not(api: Api) -> None:
    with api.client("viewer") as viewer, api.client("runner") as runner:
        start = viewer.post(f"{API}/Hello/runs", json={"name": "x"})
        create = runner.post(API, json=dict(HELLO, name="Other"))
        update = runner.put(f"{API}/Hello", json={"enabled": False})
        delete = runner.delete(f"{API}/Hello")
        allowed = runner.post(f"{API}/Hello/runs", json={"name": "x"})
    assert "needs runner" in problem(start, 403, "forbidden")["detail"]
    for response in (create, update, delete):
        assert "needs editor" in problem(response, 403, "forbidden")["detail"]
    assert allowed.status_code == 201
    assert len(api.wb.runs("Hello")) == 1  # the refused calls left no trace


def test_keys_are_stored_only_as_hashes_and_note_their_use(api: Api) -> None:
    with api.client("viewer") as c:
        assert c.get(API).status_code == 200
    table = api.wb.sql("select * from api_keys").to_string()
    assert all(key not in table and key[4:] not in table for key in api.keys.values())
    used = {k.name: k for k in api.wb.access.list_keys()}
    assert used["viewer"].last_used_at is not None and used["runner"].last_used_at is None
    api.wb.access.revoke_key("viewer")
    with api.client("viewer") as c:
        problem(c.get(API), 401, "unauthorized")


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
