"""The built-in actions' handlers: directory effects, dry runs, core, http.request, redact."""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import duckdb
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from pydantic import BaseModel

from wfbench.actions import ActionSpec, builtin_registry
from wfbench.actions.context import ActionContext, Connector, StepTimeout
from wfbench.actions.http import HttpResponse
from wfbench.actions.records import Deleted, Device, DeviceList, Group, User, UserList
from wfbench.actions.redaction import REDACTED, redact
from wfbench.directory import DIRECTORY_TABLE_NAMES, Directory, sandbox
from wfbench.errors import ActionError, EffectUncertain, PermissionDenied
from wfbench.roles import BUILTIN_ROLES, PERMISSIONS

REGISTRY = builtin_registry()
EVERYTHING = frozenset(PERMISSIONS)
ADA = "ada.lovelace@example.com"
NOW = datetime(2026, 2, 1, 12, 30, tzinfo=UTC)


def context(
    con: duckdb.DuckDBPyConnection | None,
    *,
    dry_run: bool = False,
    permissions: frozenset[str] = EVERYTHING,
    connectors: dict[str, Connector] | None = None,
    deadline: float | None = None,
    directory: Directory | None = None,
) -> ActionContext:
    if directory is None and con is not None:
        directory = Directory(con, permissions, run_id="run-7", clock=lambda: NOW, dry_run=dry_run)
    return ActionContext(
        run_id="run-7",
        path="step",
        dry_run=dry_run,
        permissions=permissions,
        directory=directory,
        connectors=connectors or {},
        deadline=deadline,
    )


def call(name: str, params: dict[str, Any], ctx: ActionContext) -> Any:
    spec = REGISTRY.get(name)
    assert spec.handler is not None
    result = spec.handler(spec.input_model.model_validate(params), ctx)
    assert isinstance(result, spec.output_model)
    return result


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').df() for t in DIRECTORY_TABLE_NAMES}


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for table in a:
        assert_frame_equal(a[table], b[table], obj=table)


def one(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> Any:
    row = con.execute(sql, list(params)).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row


def ada(con: duckdb.DuckDBPyConnection) -> str:
    return str(one(con, "SELECT id FROM users WHERE email = ?", ADA))


def device(con: duckdb.DuckDBPyConnection) -> str:
    return str(one(con, "SELECT min(id) FROM devices WHERE owner_id = ?", ada(con)))


def gid(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return str(one(con, 'SELECT id FROM "groups" WHERE name = ?', name))


# -- declarations ------------------------------------------------------------------------------


def test_every_builtin_has_a_handler_and_says_how_a_dry_run_treats_it() -> None:
    for spec in REGISTRY:
        assert callable(spec.handler), spec.name
        directory_write = spec.side_effects and spec.category not in ("http",)
        assert spec.callable_in_dry_run is directory_write, spec.name
        assert spec.batched is directory_write, spec.name
    assert REGISTRY.get("http.request").callable_in_dry_run is False
    assert REGISTRY.get("http.request").batched is False


# -- directory actions -------------------------------------------------------------------------

# action: (params, check(output, con)); params and checks read ids from the seeded store.
Params = Callable[[duckdb.DuckDBPyConnection], dict[str, Any]]
Check = Callable[[Any, duckdb.DuckDBPyConnection], None]


def _check_get(out: User, con: duckdb.DuckDBPyConnection) -> None:
    assert (out.id, out.email, out.employee_type) == (ada(con), ADA, "contractor")
    assert "contractors" in [g.name for g in out.groups]


def _check_search(out: UserList, con: duckdb.DuckDBPyConnection) -> None:
    expected = one(con, "SELECT count(*) FROM users WHERE department = 'hr'")
    assert out.count == len(out.users) == expected
    assert {u.department for u in out.users} == {"hr"}


def _check_create(out: User, con: duckdb.DuckDBPyConnection) -> None:
    assert (out.id, out.email, out.employee_type) == (
        "u_0241",
        "grace.hopper@example.com",
        "contractor",
    )
    assert out.created_at == "2026-02-01T12:30:00Z"
    assert one(con, "SELECT first_name FROM users WHERE id = 'u_0241'") == "Grace"


def _check_update(out: User, con: duckdb.DuckDBPyConnection) -> None:
    assert (out.department, out.manager_email) == ("it", None)
    assert one(con, "SELECT department, manager_email FROM users WHERE id = ?", ada(con)) == (
        "it",
        None,
    )


def _status(value: str) -> Check:
    def check(out: User, con: duckdb.DuckDBPyConnection) -> None:
        assert out.status == value
        assert one(con, "SELECT status FROM users WHERE id = ?", out.id) == value

    return check


def _check_reset(out: User, con: duckdb.DuckDBPyConnection) -> None:
    assert out.mfa_enrolled is False
    assert one(con, "SELECT mfa_enrolled FROM users WHERE id = ?", out.id) is False


def _check_delete(out: Deleted, con: duckdb.DuckDBPyConnection) -> None:
    assert out.deleted is True
    assert one(con, "SELECT count(*) FROM users WHERE id = ?", out.id) == 0
    assert one(con, "SELECT count(*) FROM memberships WHERE user_id = ?", out.id) == 0


def _check_group(out: Group, con: duckdb.DuckDBPyConnection) -> None:
    assert (out.name, out.member_count) == ("it", 36)


def _check_create_group(out: Group, con: duckdb.DuckDBPyConnection) -> None:
    assert (out.id, out.name, out.description, out.member_count) == ("g_16", "sre", "SRE.", 0)
    assert one(con, 'SELECT name FROM "groups" WHERE id = ?', "g_16") == "sre"


def _check_members(out: UserList, con: duckdb.DuckDBPyConnection) -> None:
    assert out.count == 36 and {u.employee_type for u in out.users} == {"contractor"}


def _membership(present: int) -> Check:
    def check(out: Any, con: duckdb.DuckDBPyConnection) -> None:
        assert out.changed is True
        count = "SELECT count(*) FROM memberships WHERE group_id = ? AND user_id = ?"
        assert one(con, count, out.group_id, out.user_id) == present

    return check


def _check_devices(out: DeviceList, con: duckdb.DuckDBPyConnection) -> None:
    assert out.count == 2 and {d.owner_id for d in out.devices} == {ada(con)}


def _device_status(value: str) -> Check:
    def check(out: Device, con: duckdb.DuckDBPyConnection) -> None:
        assert out.status == value
        assert one(con, "SELECT status FROM devices WHERE id = ?", out.id) == value

    return check


def _check_restart(out: Device, con: duckdb.DuckDBPyConnection) -> None:
    assert (out.status, out.last_seen) == ("active", "2026-02-01T12:30:00Z")


def _check_command(out: Any, con: duckdb.DuckDBPyConnection) -> None:
    assert (out.command_id, out.status, out.exit_code, out.output) == (
        "cmd_000001",
        "succeeded",
        0,
        "ran: softwareupdate -l",
    )
    assert one(con, "SELECT run_id, command FROM commands") == ("run-7", "softwareupdate -l")


def _binding(present: int) -> Check:
    def check(out: Any, con: duckdb.DuckDBPyConnection) -> None:
        assert out.changed is True
        count = "SELECT count(*) FROM bindings WHERE application_id = ? AND user_id = ?"
        assert one(con, count, out.application_id, out.user_id) == present

    return check


def _check_email(out: Any, con: duckdb.DuckDBPyConnection) -> None:
    assert (out.message_id, out.to, out.subject) == ("msg_000001", "boss@example.com", "Hi")
    assert one(con, "SELECT to_addr, body, run_id FROM outbox") == (
        "boss@example.com",
        "Body",
        "run-7",
    )


CASES: dict[str, tuple[Params, Check]] = {
    "users.get": (lambda c: {"email": ADA.upper()}, _check_get),
    "users.search": (lambda c: {"department": "hr", "limit": 1000}, _check_search),
    "users.create": (
        lambda c: {
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "grace.hopper@example.com",
            "department": "engineering",
            "employee_type": "contractor",
            "manager_email": ADA,
        },
        _check_create,
    ),
    "users.update": (
        lambda c: {"user_id": ada(c), "department": "it", "manager_email": None},
        _check_update,
    ),
    "users.suspend": (lambda c: {"user_id": ada(c)}, _status("suspended")),
    "users.activate": (
        lambda c: {"user_id": one(c, "SELECT min(id) FROM users WHERE status = 'suspended'")},
        _status("active"),
    ),
    "users.reset_mfa": (
        lambda c: {"user_id": one(c, "SELECT min(id) FROM users WHERE mfa_enrolled")},
        _check_reset,
    ),
    "users.delete": (lambda c: {"user_id": ada(c)}, _check_delete),
    "groups.get": (lambda c: {"name": "it"}, _check_group),
    "groups.create": (lambda c: {"name": "sre", "description": "SRE."}, _check_create_group),
    "groups.list_members": (lambda c: {"group_id": gid(c, "contractors")}, _check_members),
    "groups.add_user": (
        lambda c: {"group_id": gid(c, "on-call"), "user_id": ada(c)},
        _membership(1),
    ),
    "groups.remove_user": (
        lambda c: {"group_id": gid(c, "contractors"), "user_id": ada(c)},
        _membership(0),
    ),
    "devices.list_for_user": (lambda c: {"user_id": ada(c)}, _check_devices),
    "devices.lock": (lambda c: {"device_id": device(c)}, _device_status("locked")),
    "devices.restart": (lambda c: {"device_id": device(c)}, _check_restart),
    "devices.erase": (lambda c: {"device_id": device(c)}, _device_status("erased")),
    "commands.run": (
        lambda c: {"device_id": device(c), "command": "softwareupdate -l"},
        _check_command,
    ),
    "applications.bind_user": (
        lambda c: {"application_id": "app_05", "user_id": ada(c)},
        _binding(1),
    ),
    "applications.unbind_user": (
        lambda c: {"application_id": "app_01", "user_id": ada(c)},
        _binding(0),
    ),
    "notify.email": (
        lambda c: {"to": "Boss@example.com", "subject": "Hi", "body": "Body"},
        _check_email,
    ),
}
DIRECTORY_ACTIONS = sorted(CASES)


def test_every_directory_action_has_a_case() -> None:
    expected = {s.name for s in REGISTRY if s.category not in ("core", "http")}
    assert set(CASES) == expected


@pytest.mark.parametrize("name", DIRECTORY_ACTIONS)
def test_directory_action(con: duckdb.DuckDBPyConnection, name: str) -> None:
    params, check = CASES[name]
    ctx = context(con)
    out = call(name, params(con), ctx)
    check(out, con)
    spec = REGISTRY.get(name)
    if spec.side_effects:
        assert len(ctx.changes) == 1 and not ctx.changes[0].startswith("would ")
    else:
        assert ctx.changes == []


@pytest.mark.parametrize(
    "name", [n for n in DIRECTORY_ACTIONS if REGISTRY.get(n).callable_in_dry_run]
)
def test_dry_run_writes_nothing_and_gives_the_same_output(
    con: duckdb.DuckDBPyConnection, name: str
) -> None:
    params, _ = CASES[name]
    given = params(con)
    before = snapshot(con)
    with sandbox(con, EVERYTHING, run_id="run-7", clock=lambda: NOW) as directory:
        dry = context(con, dry_run=True, directory=directory)
        would = call(name, given, dry)
    assert_same_tables(before, snapshot(con))
    assert len(dry.changes) == 1 and dry.changes[0].startswith("would ")
    # Another run (its own dry-run memory) really does it: the same output.
    real = ActionContext(
        run_id="run-8",
        path="step",
        dry_run=False,
        permissions=EVERYTHING,
        directory=Directory(con, EVERYTHING, run_id="run-8", clock=lambda: NOW),
    )
    done = call(name, given, real)
    if name in ("commands.run", "notify.email"):
        assert would.model_dump() == done.model_dump()
    else:
        assert would == done


def test_dry_run_sees_earlier_steps_of_the_same_run(con: duckdb.DuckDBPyConnection) -> None:
    before = snapshot(con)
    # The engine builds a new context per step; the run's sandboxed directory ties them.
    with sandbox(con, EVERYTHING, run_id="run-7", clock=lambda: NOW) as directory:
        create = context(con, dry_run=True, directory=directory)
        grace = call("users.create", CASES["users.create"][0](con), create)
        add = context(con, dry_run=True, directory=directory)
        group = gid(con, "vpn-users")
        joined = call("groups.add_user", {"group_id": group, "user_id": grace.id}, add)
    assert joined.changed is True
    assert add.changes == ["would add grace.hopper@example.com to group vpn-users"]
    assert_same_tables(before, snapshot(con))


def test_lookups_that_find_nothing_name_what_was_looked_for(
    con: duckdb.DuckDBPyConnection,
) -> None:
    ctx = context(con)
    with pytest.raises(ActionError, match=r"no user with email 'grace\.hopper@example\.com'"):
        call("users.get", {"email": "grace.hopper@example.com"}, ctx)
    with pytest.raises(ActionError, match="no group with name 'nope'"):
        call("groups.get", {"name": "nope"}, ctx)
    with pytest.raises(ActionError, match="no device with id 'd_9999'"):
        call("devices.lock", {"device_id": "d_9999"}, ctx)


def test_the_directory_enforces_the_run_role(con: duckdb.DuckDBPyConnection) -> None:
    read_only = next(r for r in BUILTIN_ROLES if r.name == "read_only").permissions
    before = snapshot(con)
    with pytest.raises(PermissionDenied, match="suspend_user needs users:write"):
        call("users.suspend", {"user_id": ada(con)}, context(con, permissions=read_only))
    with (
        pytest.raises(PermissionDenied, match="send_email needs notifications:send"),
        sandbox(con, read_only, run_id="run-7") as directory,
    ):
        call(
            "notify.email",
            {"to": "a@example.com", "subject": "s", "body": "b"},
            context(con, dry_run=True, permissions=read_only, directory=directory),
        )
    assert_same_tables(before, snapshot(con))


@pytest.mark.parametrize("name", DIRECTORY_ACTIONS)
def test_without_a_directory_the_action_says_what_it_needs(name: str) -> None:
    params = {
        "users.get": {"id": "u_0001"},
        "groups.get": {"id": "g_01"},
    }
    spec = REGISTRY.get(name)
    given = params.get(name) or _minimal(spec)
    with pytest.raises(ActionError, match="needs the embedded directory; open a Workbench"):
        call(name, given, context(None))


def _minimal(spec: ActionSpec) -> dict[str, Any]:
    values = {"email": "a@example.com", "to": "a@example.com", "name": "x", "limit": 5}
    return {p: values.get(p, "x") for p in spec.required_parameters}


# -- core --------------------------------------------------------------------------------------


def test_core_set_log_fail_wait() -> None:
    ctx = context(None)
    value = {"a": [1, 2, {"b": None}], "c": "text"}
    assert call("core.set", {"value": value}, ctx).value == value
    logged = call("core.log", {"message": "hello"}, ctx)
    assert logged.message == "hello" and ctx.logs == ["hello"]
    with pytest.raises(ActionError, match=r"^stop here$"):
        call("core.fail", {"message": "stop here"}, ctx)
    start = time.monotonic()
    assert call("core.wait", {"seconds": 0.1}, ctx).seconds == 0.1
    assert time.monotonic() - start >= 0.1


def test_core_wait_honours_the_deadline() -> None:
    """An hour's wait ends at a 0.05 s deadline (60 s bounds a wait that does not end)."""
    ctx = context(None, deadline=time.monotonic() + 0.05)
    raised: list[BaseException] = []

    def wait() -> None:
        try:
            call("core.wait", {"seconds": 3600}, ctx)
        except BaseException as exc:
            raised.append(exc)

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    waiter.join(60)
    assert not waiter.is_alive(), "core.wait slept past its deadline"
    assert [type(e) for e in raised] == [StepTimeout], raised


# -- http.request against a real server --------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    """Answers by path; records every request on the server."""

    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        self.server.seen.append(
            {
                "method": self.command,
                "path": url.path,
                "query": parse_qs(url.query),
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        )
        route = url.path.removeprefix("/api")
        if route == "/missing":
            self._send(404, "text/plain", b"  no such thing here  " + b"x" * 500)
        elif route == "/text":
            self._send(200, "text/plain; charset=utf-8", "caf\u00e9 ok".encode())
        elif route == "/leak":
            echoed = self.headers.get("Authorization", "") + " " + self.headers.get("X-Key", "")
            self._send(200, "application/json", json.dumps({"you_sent": echoed}).encode())
        elif route == "/forbidden":
            self._send(403, "text/plain", ("denied for " + self.headers.get("X-Key", "")).encode())
        elif route == "/hop":  # to another host name of the same server
            port = self.server.server_address[1]
            self.send_response(int(self.headers.get("X-Status") or 302))
            self.send_header("Location", f"http://localhost:{port}/api/landed")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif route == "/hangup":  # the request arrives; no answer ever leaves
            self.close_connection = True
        elif route == "/slow":
            time.sleep(1.0)
            self._send(200, "text/plain", b"late")
        else:
            payload = {
                "method": self.command,
                "query": parse_qs(url.query),
                "json": json.loads(body) if body else None,
            }
            self._send(200, "application/json", json.dumps(payload).encode(), cookie=True)

    def _send(self, status: int, content_type: str, body: bytes, *, cookie: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", "abc-123")
        if cookie:
            self.send_header("Set-Cookie", "session=s3cr3t; HttpOnly")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[dict[str, Any]]


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Recorder)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def base(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


TOKEN = "tok-9f8e7d6c5b4a"
PASSWORD = "pa55-w0rd-Zq"


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WFB_TEST_TOKEN", TOKEN)
    monkeypatch.setenv("WFB_TEST_USER", "svc-wfbench")
    monkeypatch.setenv("WFB_TEST_PASSWORD", PASSWORD)


def connectors(server: _Server) -> dict[str, Connector]:
    url = base(server) + "/api/"
    return {
        "open": Connector("open", url),
        "basic": Connector(
            "basic",
            url,
            auth="basic",
            username_env="WFB_TEST_USER",
            password_env="WFB_TEST_PASSWORD",
        ),
        "bearer": Connector("bearer", url, auth="bearer", token_env="WFB_TEST_TOKEN"),
        "header": Connector(
            "header", url, auth="header", header_name="X-Key", token_env="WFB_TEST_TOKEN"
        ),
        "unset": Connector("unset", url, auth="bearer", token_env="WFB_TEST_NOT_SET"),
        "quick": Connector("quick", url, timeout_s=0.2),
    }


def http(server: _Server, **params: Any) -> HttpResponse:
    out = call("http.request", params, context(None, connectors=connectors(server)))
    assert isinstance(out, HttpResponse)
    return out


@pytest.mark.usefixtures("secrets")
@pytest.mark.parametrize(
    ("connector", "header", "value"),
    [
        ("open", "authorization", None),
        (
            "basic",
            "authorization",
            "Basic " + base64.b64encode(f"svc-wfbench:{PASSWORD}".encode()).decode(),
        ),
        ("bearer", "authorization", f"Bearer {TOKEN}"),
        ("header", "x-key", TOKEN),
    ],
)
def test_http_authentication_modes(
    server: _Server, connector: str, header: str, value: str | None
) -> None:
    out = http(server, connector=connector, path="/users")
    assert out.status_code == 200
    seen = server.seen[-1]
    assert (seen["method"], seen["path"]) == ("GET", "/api/users")
    assert seen["headers"].get(header) == value
    if connector == "header":
        assert "authorization" not in seen["headers"]
    assert TOKEN not in json.dumps(out.model_dump()) and PASSWORD not in out.text


@pytest.mark.usefixtures("secrets")
def test_http_missing_env_var_names_the_variable_not_a_secret(server: _Server) -> None:
    with pytest.raises(ActionError) as failed:
        http(server, connector="unset", path="/users")
    message = str(failed.value)
    assert "WFB_TEST_NOT_SET" in message and "is not set" in message
    assert TOKEN not in message and PASSWORD not in message
    assert server.seen == []  # nothing was sent


def test_http_missing_basic_password_names_the_variable(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WFB_TEST_USER", "svc-wfbench")
    monkeypatch.delenv("WFB_TEST_PASSWORD", raising=False)
    with pytest.raises(ActionError, match="environment variable WFB_TEST_PASSWORD is not set"):
        http(server, connector="basic", path="/users")


def test_http_query_and_json_round_trip(server: _Server) -> None:
    body = {"name": "Grace", "tags": ["a", "b"], "n": 3, "nested": {"ok": True}}
    out = http(
        server,
        connector="open",
        method="POST",
        path="/users/new",
        query={"q": "a b&c", "n": 5, "flag": True},
        headers={"X-Trace": "t-1"},
        json=body,
    )
    assert out.status_code == 200
    assert out.json_ == {
        "method": "POST",
        "query": {"q": ["a b&c"], "n": ["5"], "flag": ["true"]},
        "json": body,
    }
    assert json.loads(out.text) == out.json_
    seen = server.seen[-1]
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["x-trace"] == "t-1"
    assert json.loads(seen["body"]) == body
    # Response header names in lower case; cookies dropped.
    assert out.headers["x-request-id"] == "abc-123"
    assert out.headers["content-type"] == "application/json"
    assert "set-cookie" not in out.headers
    assert all(name == name.lower() for name in out.headers)
    assert out.model_dump()["json"] == out.json_  # the field is called json


def test_http_text_response_is_not_json(server: _Server) -> None:
    out = http(server, connector="open", path="/text")
    assert (out.text, out.json_) == ("caf\u00e9 ok", None)


def test_http_404_is_an_action_error(server: _Server) -> None:
    with pytest.raises(ActionError) as failed:
        http(server, connector="open", path="/missing", query={"a": 1})
    message = str(failed.value)
    prefix = f"GET {base(server)}/api/missing answered 404: no such thing here  "
    assert message.startswith(prefix)
    assert len(message) == len(f"GET {base(server)}/api/missing answered 404: ") + 200


@pytest.mark.usefixtures("secrets")
def test_http_secrets_echoed_back_are_masked(server: _Server) -> None:
    out = http(server, connector="bearer", path="/leak")
    assert out.json_ == {"you_sent": "Bearer *** "}
    assert TOKEN not in out.text
    with pytest.raises(ActionError) as failed:
        http(server, connector="header", path="/forbidden")
    assert str(failed.value).endswith("answered 403: denied for ***")


def test_http_unknown_connector_lists_the_known_ones(server: _Server) -> None:
    with pytest.raises(ActionError) as failed:
        http(server, connector="nope", path="/")
    message = str(failed.value)
    assert "no connector 'nope'" in message
    assert "basic, bearer, header, open, quick, unset" in message


def test_http_connection_refused_is_an_action_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ctx = context(None, connectors={"down": Connector("down", f"http://127.0.0.1:{port}")})
    with pytest.raises(ActionError, match=f"GET http://127.0.0.1:{port}/ping failed: "):
        call("http.request", {"connector": "down", "path": "/ping"}, ctx)


def test_http_times_out(server: _Server) -> None:
    with pytest.raises(ActionError, match=re.escape("/api/slow timed out after 0.2 s")):
        http(server, connector="quick", path="/slow")
    ctx = context(None, connectors=connectors(server), deadline=time.monotonic() + 0.2)
    with pytest.raises(StepTimeout):
        call("http.request", {"connector": "open", "path": "/slow"}, ctx)


@pytest.mark.usefixtures("secrets")
@pytest.mark.parametrize("connector", ["bearer", "basic", "header"])
def test_http_a_redirect_never_carries_the_credentials(server: _Server, connector: str) -> None:
    out = http(server, connector=connector, path="/hop")
    assert out.status_code == 200
    first, landed = server.seen[-2], server.seen[-1]
    assert (first["path"], landed["path"]) == ("/api/hop", "/api/landed")
    assert "authorization" in first["headers"] or "x-key" in first["headers"]
    assert landed["headers"]["host"].startswith("localhost:")  # another host
    assert "authorization" not in landed["headers"] and "x-key" not in landed["headers"]


@pytest.mark.usefixtures("secrets")
def test_http_a_post_redirected_by_303_is_followed_as_a_get(server: _Server) -> None:
    out = http(
        server,
        connector="bearer",
        method="POST",
        path="/hop",
        headers={"X-Status": "303"},
        json={"a": 1},
    )
    assert out.status_code == 200
    assert [(s["method"], s["path"]) for s in server.seen[-2:]] == [
        ("POST", "/api/hop"),
        ("GET", "/api/landed"),
    ]


def test_http_an_unanswered_write_is_uncertain_and_a_read_an_ordinary_failure(
    server: _Server,
) -> None:
    with pytest.raises(EffectUncertain, match="the effect may or may not have happened"):
        http(server, connector="open", method="POST", path="/hangup", json={"a": 1})
    with pytest.raises(ActionError) as failed:
        http(server, connector="open", path="/hangup")
    assert not isinstance(failed.value, EffectUncertain)
    assert "GET" in str(failed.value) and "failed" in str(failed.value)


def test_http_refuses_other_schemes() -> None:
    ctx = context(None, connectors={"disk": Connector("disk", "file:///etc")})
    with pytest.raises(ActionError, match="only http:// and https://"):
        call("http.request", {"connector": "disk", "path": "/passwd"}, ctx)


# -- redact ------------------------------------------------------------------------------------


def test_redact_masks_secret_keys_at_any_depth() -> None:
    class Params(BaseModel):
        api_key: str
        name: str

    given = {
        "connector": "crm",
        "headers": {"Authorization": "Bearer x", "X-API-Key": "k", "Accept": "json"},
        "json": {
            "user": {"password": "p", "name": "n", "tokens": ["a", "b"]},
            "items": [{"client_secret": "s"}, {"Cookie": "c"}, ("keep", {"apikey": "z"})],
            "session_token": None,
        },
        "model": Params(api_key="sk", name="n"),
        "count": 3,
    }
    out = redact(given)
    assert out == {
        "connector": "crm",
        "headers": {"Authorization": REDACTED, "X-API-Key": REDACTED, "Accept": "json"},
        "json": {
            "user": {"password": REDACTED, "name": "n", "tokens": REDACTED},
            "items": [
                {"client_secret": REDACTED},
                {"Cookie": REDACTED},
                ("keep", {"apikey": REDACTED}),
            ],
            "session_token": None,
        },
        "model": {"api_key": REDACTED, "name": "n"},
        "count": 3,
    }
    # A copy: the original is untouched, and nothing is shared.
    assert given["headers"]["Authorization"] == "Bearer x"  # type: ignore[index]
    plain = {"a": [1, {"b": 2}]}
    copied = redact(plain)
    assert copied == plain and copied["a"] is not plain["a"]
    assert redact("text") == "text" and redact(None) is None
