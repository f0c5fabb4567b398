"""Issue 10.4: a connector's secret never reaches the store, whatever form a server
echoes it back in (a real loopback server; the store file's bytes are searched)."""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from wfbench.actions.context import Connector
from wfbench.actions.http import MAX_TEXT
from wfbench.actions.redaction import REDACTED, Scrubber, secret_forms
from wfbench.workbench import Workbench

TOKEN = 's3cr3t/T0ken+é"x&y=z'
USER, PASSWORD = "svc-user", "pa55/w0rd+é"


def _forms(secret: str) -> dict[str, str]:
    raw = secret.encode()
    return {
        "plain": secret,
        "json": json.dumps(secret)[1:-1].replace("/", "\\/"),
        "json-ascii": json.dumps(secret, ensure_ascii=True)[1:-1],
        "u-escaped": "".join(f"\\u{ord(c):04x}" for c in secret),
        "U-ESCAPED": "".join(f"\\u{ord(c):04X}" for c in secret),
        "url": urllib.parse.quote(secret, safe=""),
        "url-lower": urllib.parse.quote(secret, safe="").lower(),
        "url-plus": urllib.parse.quote_plus(secret),
        "base64": base64.b64encode(raw).decode(),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }


def _body(kind: str, auth: str) -> tuple[str, bytes]:
    secret = TOKEN if kind != "basic" else PASSWORD
    forms = _forms(secret)
    if kind == "basic":
        forms["credential"] = auth.split(" ", 1)[1]
        forms["credential-plain"] = f"{USER}:{PASSWORD}"
    text = "\n".join(f"{name}={form}" for name, form in forms.items())
    echo = {"auth": auth, "forms": forms, "text": text}
    return "application/json", json.dumps(echo).encode()


class _Echo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        kind = self.path.strip("/").split("?")[0]
        if kind == "cut":  # the token straddles the text limit
            body = ("x" * (MAX_TEXT - 10) + TOKEN * 3).encode()
            ctype = "text/plain"
        elif kind == "fail":
            body = ("e" * 190 + TOKEN).encode()
            self.send_response(403)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        else:
            ctype, body = _body(kind, auth)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        secret = PASSWORD if kind == "basic" else TOKEN
        self.send_header("X-Echo", urllib.parse.quote(secret, safe=""))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _workflow(paths: list[tuple[str, str]]) -> dict[str, Any]:
    steps = [
        {
            "id": f"call_{i}",
            "kind": "action",
            "action": "http.request",
            "with": {"connector": connector, "path": path},
            "on_error": "continue",
        }
        for i, (connector, path) in enumerate(paths)
    ]
    return {"format": "wfbench/v1", "name": "Echo", "run_as": "administrator", "steps": steps}


def test_no_form_of_a_secret_reaches_the_store_file(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WFB_TOKEN", TOKEN)
    monkeypatch.setenv("WFB_USER", USER)
    monkeypatch.setenv("WFB_PASSWORD", PASSWORD)
    path = tmp_path / "s.duckdb"
    wb = Workbench(path)
    wb.init()
    wb.add_connector(Connector("bearer", server, auth="bearer", token_env="WFB_TOKEN"))
    wb.add_connector(
        Connector(
            "basic", server, auth="basic", username_env="WFB_USER", password_env="WFB_PASSWORD"
        )
    )
    wb.add_connector(
        Connector("header", server, auth="header", header_name="X-Key", token_env="WFB_TOKEN")
    )
    wb.save(
        _workflow(
            [
                ("bearer", "/bearer"),
                ("basic", "/basic"),
                ("header", "/header"),
                ("bearer", "/cut"),
                ("bearer", "/fail"),
            ]
        )
    )
    run = wb.run("Echo", {})
    steps = wb.runs.get(run.run_id)["steps"]
    assert [s["status"] for s in steps] == ["succeeded"] * 4 + ["failed"]
    assert REDACTED in steps[0]["output"]["text"]
    assert steps[3]["output"]["text"].endswith(REDACTED)
    assert "answered 403" in steps[4]["error"]
    wb.close()
    # Every value of every table, as text (the file itself may be compressed) ...
    dump = Workbench(path)
    tables = dump.sql("select table_name from information_schema.tables")["table_name"]
    data = "\n".join(dump.sql(f'select * from "{t}"').to_csv() for t in tables).encode()
    dump.close()
    # ... and the file's bytes.
    data += path.read_bytes()
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        data += wal.read_bytes()
    leaked = {
        f"{secret_name}:{name}"
        for secret_name, secret in (("token", TOKEN), ("password", PASSWORD))
        for name, form in _forms(secret).items()
        for needle in {form.encode(), form.encode("utf-16-le")}
        if needle in data
    }
    # and the prefix of the token at the cut (half of it is 10 characters)
    if TOKEN[:10].encode() in data:
        leaked.add("token:prefix")
    assert leaked == set()


@pytest.mark.parametrize("size", range(3, 17))
def test_a_cut_leaves_no_start_of_a_secret(size: int) -> None:
    scrub = Scrubber([TOKEN])
    text = "a" * 50 + TOKEN[:size]
    assert TOKEN[:3] not in scrub.cut(text + TOKEN[size:], 50 + size)
    assert scrub.cut(text + TOKEN[size:], 50 + size).endswith(REDACTED)


def test_every_form_is_masked_in_nested_values() -> None:
    scrub = Scrubber([TOKEN])
    exact, any_case = secret_forms(TOKEN)
    value = {form: [f"<{form}>", {"k": form}] for form in exact | any_case}
    text = json.dumps(scrub(value), ensure_ascii=False)
    for form in _forms(TOKEN).values():
        assert form not in text


def test_short_secrets_are_not_searched() -> None:
    assert not Scrubber(["abc"])
    assert Scrubber(["abc"]).text("abc") == "abc"


def test_a_custom_action_that_returns_a_connector_secret_has_it_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from pydantic import BaseModel

    class In(BaseModel):
        connector: str

    class Out(BaseModel):
        value: str

    monkeypatch.setenv("WFB_TOKEN", TOKEN)
    wb = Workbench(tmp_path / "c.duckdb")
    wb.init()
    wb.add_connector(
        Connector("bearer", "http://127.0.0.1:9", auth="bearer", token_env="WFB_TOKEN")
    )

    @wb.action("custom.leak", input=In, output=Out, side_effects=False)
    def leak(params: In, ctx: Any) -> Out:
        variable = ctx.connectors[params.connector].token_env
        return Out(value=f"token={os.environ[variable]}")

    wb.save(
        {
            "format": "wfbench/v1",
            "name": "Leak",
            "run_as": "read_only",
            "steps": [
                {
                    "id": "leak",
                    "kind": "action",
                    "action": "custom.leak",
                    "with": {"connector": "bearer"},
                }
            ],
        }
    )
    run = wb.run("Leak", {})
    stored = wb.runs.get(run.run_id)
    assert stored["steps"][0]["output"] == {"value": f"token={REDACTED}"}
    assert TOKEN not in json.dumps(stored, default=str, ensure_ascii=False)
