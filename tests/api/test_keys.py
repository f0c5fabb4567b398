"""Who may call: API keys and their roles, kept in the store and checked by the HTTP API
(`wfbench apikey` is tests/cli/test_serving.py)."""

from __future__ import annotations

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
