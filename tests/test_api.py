"""The HTTP API against a real server on 127.0.0.1 (uvicorn in a thread, or `wfbench serve`).

The store is seeded once per module (the demo organisation, the two samples and two
small workflows) with one key per caller role; each test serves its own copy.
"""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from wfbench.api import MAX_BODY_BYTES, ApiServer, create_app
from wfbench.cli import main
from wfbench.workbench import Workbench

SAMPLES = Path(__file__).parent.parent / "wfbench" / "samples"
WFBENCH = shutil.which("wfbench", path=str(Path(sys.executable).parent)) or "wfbench"
API = "/api/v2/workflows"
PROBLEM = "application/problem+json"

HELLO = {
    "format": "wfbench/v1",
    "name": "Hello",
    "description": "One step: log a greeting.",
    "type": "manual",
    "run_as": "read_only",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "times": {"type": "integer"},
            },
            "additionalProperties": False,
        }
    },
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "hi"}}],
}
SLOW = {
    "format": "wfbench/v1",
    "name": "Slow",
    "type": "manual",
    "run_as": "read_only",
    "trigger": {"input_schema": {"type": "object", "properties": {"s": {"type": "number"}}}},
    "steps": [
        {
            "id": "pause",
            "kind": "action",
            "action": "core.wait",
            "with": {"seconds": "{{ input.s }}"},
        }
    ],
}


@dataclass
class Seed:
    path: Path
    keys: dict[str, str]


@dataclass
class Api:
    wb: Workbench
    server: ApiServer
    path: Path
    keys: dict[str, str]

    def client(self, role: str | None = "editor") -> httpx.Client:
        headers = {"x-api-key": self.keys[role]} if role else {}
        return httpx.Client(base_url=self.server.url, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    path = tmp_path_factory.mktemp("api") / "seed.duckdb"
    wb = Workbench(path)
    wb.init(demo=True)
    wb.save(HELLO)
    wb.save(SLOW)
    keys = {role: wb.create_api_key(role, role) for role in ("viewer", "runner", "editor")}
    keys["revoked"] = wb.create_api_key("gone", "editor")
    wb.revoke_api_key("gone")
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


def problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    """Check an RFC 9457 problem response and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == f"https://wfbench.dev/problems/{slug}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WFBENCH, *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def sample_input(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.input.json").read_text())


# --------------------------------------------------------------------------- reading


def test_list_and_get_workflows_by_id_or_name(api: Api) -> None:
    with api.client("viewer") as c:
        listed = c.get(API)
        assert listed.status_code == 200
        names = [w["name"] for w in listed.json()]
        assert names == ["Hello", "Offboard contractor", "Onboard new hire", "Slow"]
        hello = next(w for w in listed.json() if w["name"] == "Hello")
        assert hello["enabled"] is True and hello["run_count"] == 0
        by_id = c.get(f"{API}/{hello['id']}")
        by_name = c.get(f"{API}/{'offboard%20CONTRACTOR'}")
    assert by_id.status_code == 200 and by_name.status_code == 200
    assert by_id.json()["definition"] == HELLO
    assert by_name.json()["name"] == "Offboard contractor"
    assert by_name.json()["definition"]["run_as"] == "manager"


def test_list_runs_filters_and_pages(api: Api) -> None:
    with api.client("runner") as c:
        for n in range(3):
            assert c.post(f"{API}/Hello/runs", json={"name": f"n{n}"}).status_code == 201
        assert c.post(f"{API}/Hello/runs", json={}).status_code == 422
        hello_id = c.get(f"{API}/Hello").json()["id"]
        all_hello = c.get(f"{API}/runs", params={"workflow_id": hello_id}).json()
        assert [r["input"] for r in all_hello] == [
            {},
            {"name": "n2"},
            {"name": "n1"},
            {"name": "n0"},
        ]
        by_name = c.get(f"{API}/runs", params={"workflow_id": "hello"}).json()
        assert by_name == all_hello
        ok = c.get(f"{API}/runs", params={"workflow_id": "Hello", "status": "succeeded"}).json()
        assert [r["status"] for r in ok] == ["succeeded"] * 3
        page = c.get(f"{API}/runs", params={"limit": 2, "skip": 1}).json()
        assert [r["run_id"] for r in page] == [r["run_id"] for r in all_hello[1:3]]
        assert "steps" not in page[0] and page[0]["started_by"] == "api:runner"
        bad = c.get(f"{API}/runs", params={"status": "nope", "limit": 0})
        unknown = c.get(f"{API}/runs", params={"workflow_id": "No such"})
    errors = problem(bad, 422, "invalid-request")["errors"]
    assert sorted(e["parameter"] for e in errors) == ["limit", "status"]
    assert "known workflows" in problem(unknown, 404, "not-found")["detail"]


def test_runs_path_is_not_taken_for_a_workflow_id(api: Api) -> None:
    runs = dict(HELLO, name="runs")
    with api.client() as c:
        created = c.post(API, json=runs)
        assert created.status_code == 201
        listing = c.get(f"{API}/runs")
        by_id = c.get(f"{API}/{created.json()['id']}")
    assert listing.status_code == 200 and isinstance(listing.json(), list)
    assert by_id.json()["name"] == "runs"


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
    used = {k.name: k for k in api.wb.api_keys()}
    assert used["viewer"].last_used_at is not None and used["runner"].last_used_at is None
    api.wb.revoke_api_key("viewer")
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
    assert Workbench(db).verify_api_key(key) is None
    assert wfbench("apikey", "create", "ci-bot", "--role", "viewer")[0] == 0  # a new key


# --------------------------------------------------------------------------- starting runs


def test_start_answers_201_with_the_run_as_wfbench_show_prints_it(api: Api) -> None:
    with api.client("runner") as c:
        started = c.post(f"{API}/Onboard%20new%20hire/runs", json=sample_input("onboard_new_hire"))
        assert started.status_code == 201, started.text
        run = started.json()
        assert started.headers["location"] == f"{API}/runs/{run['run_id']}"
        fetched = c.get(started.headers["location"])
    assert fetched.status_code == 200 and fetched.json() == run
    assert run["status"] == "succeeded" and run["started_by"] == "api:runner"
    assert run["steps"][0]["node"] == "create" and len(run["steps"]) > 2
    show = cli("--db", api.path, "show", run["run_id"], "--json")
    assert show.returncode == 0, show.stderr
    shown = json.loads(show.stdout)
    assert list(run) == list(shown)
    assert [list(s) for s in run["steps"]] == [list(s) for s in shown["steps"]]
    times = {"started_at", "ended_at"}
    assert {k: v for k, v in run.items() if k not in times} == {
        k: v for k, v in shown.items() if k not in times
    }


def test_wait_false_answers_202_with_a_location_to_poll(api: Api) -> None:
    with api.client("runner") as c:
        accepted = c.post(f"{API}/Slow/runs", params={"wait": "false"}, json={"s": 0.3})
        assert accepted.status_code == 202, accepted.text
        body = accepted.json()
        assert accepted.headers["location"] == body["href"] == f"{API}/runs/{body['run_id']}"
        assert body["status"] == "running"
        assert c.get(body["href"]).json()["status"] == "running"  # its Location works at once
        deadline = time.monotonic() + 10
        while (run := c.get(body["href"]).json())["status"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert run["status"] == "succeeded" and run["steps"][0]["node"] == "pause"


def test_422_lists_every_input_problem_and_keeps_the_rejected_start(api: Api) -> None:
    with api.client("runner") as c:
        bad = c.post(f"{API}/Hello/runs", json={"times": "x", "extra": 1})
        body = problem(bad, 422, "invalid-input")
        run = c.get(f"{API}/runs/{body['run_id']}").json()
        not_object = c.post(f"{API}/Hello/runs", json=[1, 2])
    pointers = sorted(e["pointer"] for e in body["errors"])
    assert pointers == ["", "", "/times"]  # name missing, extra not allowed, times not int
    assert all(e["message"] for e in body["errors"])
    assert run["status"] == "rejected" and run["input"] == {"times": "x", "extra": 1}
    assert problem(not_object, 422, "invalid-input")["errors"][0]["pointer"] == ""


def test_409_disabled_workflow_and_the_refused_start_is_recorded(api: Api) -> None:
    with api.client() as c:
        off = c.put(f"{API}/Hello", json={"enabled": False})
        assert off.status_code == 200 and off.json()["enabled"] is False
        assert off.json()["version"] == 1  # toggling is not a new version
        refused = c.post(f"{API}/Hello/runs", json={"name": "x"})
        body = problem(refused, 409, "workflow-disabled")
        rejected = c.get(f"{API}/runs", params={"workflow_id": "Hello", "status": "rejected"})
        assert [r["run_id"] for r in rejected.json()] == [body["run_id"]]
        assert c.put(f"{API}/Hello", json={"enabled": True}).json()["enabled"] is True
        assert c.post(f"{API}/Hello/runs", json={"name": "x"}).status_code == 201


def test_idempotent_retries_return_the_same_run(api: Api) -> None:
    with api.client("runner") as c:
        key = {"Idempotency-Key": "order-17"}
        first = c.post(f"{API}/Hello/runs", json={"name": "a"}, headers=key)
        retry = c.post(f"{API}/Hello/runs", json={"name": "a"}, headers=key)
        other = c.post(f"{API}/Hello/runs", json={"name": "b"}, headers=key)
        fresh = c.post(f"{API}/Hello/runs", json={"name": "a"}, headers={"Idempotency-Key": "o18"})
    assert first.status_code == 201 and first.headers["idempotent-replayed"] == "false"
    assert retry.status_code == 200 and retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json() and retry.json()["idempotency_key"] == "order-17"
    assert "different input" in problem(other, 409, "idempotency-conflict")["detail"]
    assert fresh.status_code == 201 and fresh.json()["run_id"] != first.json()["run_id"]
    assert len(api.wb.runs("Hello")) == 2


def test_retries_of_a_background_start_return_the_running_run(api: Api) -> None:
    key = {"Idempotency-Key": "bg-1"}
    with api.client("runner") as c:
        first = c.post(f"{API}/Slow/runs", params={"wait": "false"}, json={"s": 0.5}, headers=key)
        again = c.post(f"{API}/Slow/runs", params={"wait": "false"}, json={"s": 0.5}, headers=key)
        waited = c.post(f"{API}/Slow/runs", json={"s": 0.5}, headers=key)
        other = c.post(f"{API}/Slow/runs", json={"s": 1}, headers=key)
        while c.get(first.headers["location"]).json()["status"] == "running":
            time.sleep(0.05)
        after = c.post(f"{API}/Slow/runs", json={"s": 0.5}, headers=key)
    assert first.status_code == 202
    run_id = first.json()["run_id"]
    assert (again.status_code, again.json()["run_id"]) == (200, run_id)
    assert (waited.status_code, waited.json()["run_id"]) == (200, run_id)
    problem(other, 409, "idempotency-conflict")
    assert (after.status_code, after.json()["status"]) == (200, "succeeded")
    assert list(api.wb.runs("Slow")["run_id"]) == [run_id]


def test_concurrent_retries_with_one_key_start_one_run(api: Api) -> None:
    results: list[httpx.Response] = []

    def call() -> None:
        with api.client("runner") as c:
            results.append(
                c.post(f"{API}/Slow/runs", json={"s": 0.2}, headers={"Idempotency-Key": "k"})
            )

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    assert len({r.json()["run_id"] for r in results}) == 1
    assert len(api.wb.runs("Slow")) == 1


# --------------------------------------------------------------------------- definitions


def test_create_update_and_delete_a_workflow(api: Api) -> None:
    doc = dict(HELLO, name="Greeter", description="v1")
    with api.client() as c:
        created = c.post(API, json=doc)
        assert created.status_code == 201, created.text
        wf = created.json()
        assert created.headers["location"] == f"{API}/{wf['id']}"
        assert (wf["version"], wf["enabled"], wf["definition"]) == (1, True, doc)
        problem(c.post(API, json=dict(doc, name="GREETER")), 409, "name-taken")
        same = c.put(f"{API}/{wf['id']}", json=doc)
        assert same.json()["version"] == 1  # nothing changed, no new version
        changed = c.put(f"{API}/greeter", json=dict(doc, description="v2", enabled=False))
        assert changed.status_code == 200
        assert (changed.json()["version"], changed.json()["enabled"]) == (2, False)
        assert changed.json()["definition"]["description"] == "v2"
        clash = c.put(f"{API}/{wf['id']}", json=dict(doc, name="hello"))
        problem(clash, 409, "name-taken")
        renamed = c.put(f"{API}/{wf['id']}", json=dict(doc, name="Greeter 2"))
        assert renamed.json()["name"] == "Greeter 2" and renamed.json()["version"] == 3
        disabled = c.post(API, json=dict(doc, name="Off", enabled=False))
        assert disabled.status_code == 201 and disabled.json()["enabled"] is False
        assert c.delete(f"{API}/{wf['id']}").status_code == 204
        gone = c.get(f"{API}/{wf['id']}")
        problem(gone, 404, "not-found")
        problem(c.delete(f"{API}/{wf['id']}"), 404, "not-found")
        problem(c.put(f"{API}/nope", json=doc), 404, "not-found")
    saved_by = api.wb.sql("select saved_by from workflow_versions where name = 'Off'")
    assert list(saved_by["saved_by"]) == ["api:editor"]


def test_422_lists_every_definition_issue(api: Api) -> None:
    doc = {
        "format": "wfbench/v1",
        "name": "Broken",
        "run_as": "nobody",
        "steps": [
            {"id": "a", "kind": "action", "action": "users.nope", "with": {}},
            {"id": "b", "kind": "action", "action": "core.log", "with": {"message": "{{ 1 + }}"}},
        ],
    }
    with api.client() as c:
        created = c.post(API, json=doc)
        updated = c.put(f"{API}/Hello", json=doc)
        bad_flag = c.put(f"{API}/Hello", json={"enabled": "yes"})
        not_object = c.post(API, json=[doc])
    body = problem(created, 422, "invalid-definition")
    codes = {(i["node"], i["code"]) for i in body["issues"]}
    assert {("a", "action.unknown"), ("b", "expr.syntax")} <= codes
    assert any(i["field"] == "run_as" for i in body["issues"])
    assert all(
        set(i) >= {"severity", "code", "node", "field", "message", "pointer"}
        for i in body["issues"]
    )
    assert len(body["errors"]) == len([i for i in body["issues"] if i["severity"] == "error"]) >= 3
    assert problem(updated, 422, "invalid-definition")["issues"] == body["issues"]
    assert problem(bad_flag, 422, "invalid-definition")["errors"][0]["pointer"] == "/enabled"
    problem(not_object, 422, "invalid-definition")
    assert api.wb.info("Hello").version == 1


# --------------------------------------------------------------------------- bad requests


def test_400_for_a_body_that_is_not_json(api: Api) -> None:
    with api.client() as c:
        for path in (f"{API}/Hello/runs", API):
            for raw in (b"{not json", b'{"a": NaN}', b"\xff\xfe\x00", b"[" * 100 + b"]" * 100):
                response = c.post(path, content=raw, headers={"content-type": "application/json"})
                problem(response, 400, "malformed-json")
        surrogate = c.post(f"{API}/Hello/runs", content=b'{"name": "\\ud800"}')
        empty = c.post(API, content=b"")
    problem(surrogate, 400, "malformed-json")
    assert "empty" in problem(empty, 400, "malformed-json")["detail"]
    assert len(api.wb.runs()) == 0


def test_413_for_an_oversized_body_declared_or_streamed(api: Api) -> None:
    big = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        for i in range(0, len(big), 65536):
            yield big[i : i + 65536]

    with api.client() as c:
        declared = c.post(f"{API}/Hello/runs", content=big)
        streamed = c.post(f"{API}/Hello/runs", content=chunks())
        definition = c.post(API, content=big)
        fits = c.post(f"{API}/Hello/runs", json={"name": "x" * (MAX_BODY_BYTES - 100)})
    for response in (declared, streamed, definition):
        problem(response, 413, "body-too-large")
    assert fits.status_code == 201
    assert len(api.wb.runs()) == 1


def test_404_for_unknown_workflow_run_or_path(api: Api) -> None:
    with api.client() as c:
        problem(c.get(f"{API}/No%20such"), 404, "not-found")
        problem(c.post(f"{API}/No%20such/runs", json={}), 404, "not-found")
        problem(c.get(f"{API}/runs/run_0000"), 404, "not-found")
        problem(c.get("/api/v1/things"), 404, "not-found")
        not_allowed = c.patch(API)
    problem(not_allowed, 405, "method-not-allowed")
    assert not_allowed.headers["allow"] == "GET, POST"


def test_unexpected_errors_are_logged_and_answered_500_problem_json(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api.wb, "workflows", broken)
    with api.client("viewer") as c:
        response = c.get(API)
        after = c.get(f"{API}/runs")
    body = problem(response, 500, "internal-error")
    assert "boom" not in body["detail"]
    assert after.status_code == 200  # the server lives on
    assert any("unexpected error" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- serving


def test_a_run_started_over_http_appears_in_wfbench_runs(seed: Seed, tmp_path: Path) -> None:
    db = tmp_path / "served.duckdb"
    shutil.copy(seed.path, db)
    with subprocess.Popen(
        [WFBENCH, "--db", str(db), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("wfbench: serving"), line + (
                proc.stderr.read() if proc.stderr else ""
            )
            url = line.split(" at ")[1].split(API)[0]
            headers = {"x-api-key": seed.keys["runner"]}
            # The socket listens before the line is printed: no need to poll.
            started = httpx.post(
                f"{url}{API}/Hello/runs", json={"name": "cli"}, headers=headers, timeout=30
            )
            assert started.status_code == 201, started.text
            # The server holds the file only during requests: the CLI can read it now.
            listed = cli("--db", db, "runs", "--json")
            assert listed.returncode == 0, listed.stderr
            (run,) = json.loads(listed.stdout)
            assert (run["run_id"], run["started_by"]) == (started.json()["run_id"], "api:runner")
            text = cli("--db", db, "runs")
            assert "api:runner" in text.stdout
        finally:
            proc.send_signal(signal.SIGINT)  # Ctrl-C
            proc.wait(timeout=15)
    assert proc.returncode == 0


def test_a_notebook_serves_its_own_store_and_sees_the_runs(seed: Seed, tmp_path: Path) -> None:
    path = tmp_path / "notebook.duckdb"
    shutil.copy(seed.path, path)
    wb = Workbench(path)
    key = wb.create_api_key("ops-dashboard", "runner")
    handle = wb.serve()
    try:
        assert handle.url.startswith("http://127.0.0.1:") and handle.running
        started = httpx.post(
            f"{handle.url}{API}/Hello/runs", json={"name": "nb"}, headers={"x-api-key": key}
        )
        assert started.status_code == 201
        runs = wb.runs()
        assert list(runs["run_id"]) == [started.json()["run_id"]]
        assert list(runs["started_by"]) == ["api:ops-dashboard"]
        assert wb.get_run(started.json()["run_id"])["status"] == "succeeded"
    finally:
        handle.stop()
    assert not handle.running
    handle.stop()  # stopping twice is harmless
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{handle.url}{API}", timeout=2)
    with wb.serve(port=0) as again:  # the port and thread are free to serve again
        assert httpx.get(f"{again.url}{API}", headers={"x-api-key": key}).status_code == 200
    assert not again.running


def test_stop_is_bounded_even_with_a_request_in_flight(api: Api) -> None:
    server = ApiServer(create_app(api.wb), grace=1)
    outcome: list[object] = []

    def long_call() -> None:
        with httpx.Client(base_url=server.url, headers={"x-api-key": api.keys["runner"]}) as c:
            try:
                outcome.append(c.post(f"{API}/Slow/runs", json={"s": 4}, timeout=30).status_code)
            except httpx.HTTPError as exc:
                outcome.append(exc)

    caller = threading.Thread(target=long_call)
    caller.start()
    time.sleep(0.3)
    begun = time.monotonic()
    server.stop()
    assert time.monotonic() - begun < 3.5  # the 1 s grace, not the 4 s the run takes
    assert not server.running
    caller.join(10)
    (result,) = outcome  # dropped after the grace: an error, never a success
    assert not isinstance(result, int) or result >= 500


def test_import_wfbench_does_not_import_the_web_stack() -> None:
    code = (
        "import sys, wfbench, wfbench.workbench, wfbench.cli; "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- the OpenAPI document


def test_openapi_document_declares_paths_security_and_problems(api: Api) -> None:
    doc = httpx.get(f"{api.server.url}/openapi.json").json()
    paths = doc["paths"]
    assert set(paths) == {
        API,
        f"{API}/runs",
        f"{API}/runs/{{run_id}}",
        f"{API}/{{id}}",
        f"{API}/{{id}}/runs",
    }
    assert list(paths).index(f"{API}/runs") < list(paths).index(f"{API}/{{id}}")
    assert set(paths[f"{API}/{{id}}"]) == {"get", "put", "delete"}
    scheme = doc["components"]["securitySchemes"]["APIKeyHeader"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": scheme["description"],
    }
    start = paths[f"{API}/{{id}}/runs"]["post"]
    assert set(start["responses"]) >= {
        "200",
        "201",
        "202",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
    }
    assert "Location" in start["responses"]["202"]["headers"]
    assert {p["name"] for p in start["parameters"]} == {"id", "wait", "dry_run", "Idempotency-Key"}
    assert start["security"] == [{"APIKeyHeader": []}]
    assert "requestBody" in start
    create = paths[API]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create == {"$ref": "#/components/schemas/WorkflowWrite"}
    for path in paths.values():
        for operation in path.values():
            for code, response in operation["responses"].items():
                if code >= "400":
                    assert list(response["content"]) == [PROBLEM], (code, operation["summary"])
    assert "HTTPValidationError" not in json.dumps(doc)


# --------------------------------------------------------------------------- fuzzing


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


#: Every response check but ``positive_data_acceptance``: a schema-valid definition may
#: still be refused (an unknown action, role or expression is not a schema matter), and
#: a run's input is checked against each workflow's own schema, not the generic one.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.negative_data_rejection,
]


#: Operations that take nothing but a key and path segments (any string is valid).
NOTHING_TO_NEGATE = {
    f"GET {API}",
    f"GET {API}/{{id}}",
    f"DELETE {API}/{{id}}",
    f"GET {API}/runs/{{run_id}}",
}


def fuzz(operation: Any, mode: GenerationMode, key: str, **fixed: Any) -> None:
    """20 generated requests to one operation, every response checked."""
    headers = {"x-api-key": key}

    @given(case=operation.as_strategy(generation_mode=mode, headers=headers, **fixed))
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def call(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzing_from_the_openapi_document_finds_no_server_error(
    fuzz_api: Api, mode: GenerationMode
) -> None:
    """Every operation from ``/openapi.json`` with an editor key (schemathesis 4).

    Random ids mostly meet 404s, so the operations on one workflow are fuzzed again on
    a real one. Negative mode skips what it cannot make invalid: a key is always sent,
    and a path segment is any string.
    """
    schema = schemathesis.openapi.from_url(f"{fuzz_api.server.url}/openapi.json")
    key = fuzz_api.keys["editor"]
    operations = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document itself is valid
        operations[result.ok().label] = result.ok()
    assert len(operations) == 8
    hello = fuzz_api.wb.info("Hello").id
    for label, operation in operations.items():
        if mode is GenerationMode.POSITIVE or label not in NOTHING_TO_NEGATE:
            fuzz(operation, mode, key)
        if label == f"POST {API}/{{id}}/runs" or (
            label == f"PUT {API}/{{id}}" and mode is GenerationMode.POSITIVE
        ):
            fuzz(operation, mode, key, path_parameters={"id": hello})
    # The store survived: it still opens and answers.
    with fuzz_api.client("viewer") as c:
        assert c.get(API).status_code == 200
        assert c.get(f"{API}/runs").status_code == 200
