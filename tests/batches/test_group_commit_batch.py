"""A batch of HTTP calls at concurrency 8 through the group commit (issue 22, item 1): every
run and its step are in history, succeeded, and the connectors were read once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from wfbench import Workbench
from wfbench.actions.context import Connector


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_batch_of_calls_records_every_run_and_step(
    tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = Workbench(tmp_path / "store.duckdb")
    wb.init()
    wb.add_connector(Connector("api", url))
    wb.save(
        {
            "format": "wfbench/v1",
            "name": "Call",
            "run_as": "administrator",
            "steps": [
                {
                    "id": "call",
                    "kind": "action",
                    "action": "http.request",
                    "with": {"connector": "api", "method": "GET", "path": "/x"},
                }
            ],
        }
    )
    from wfbench.store.access import Access

    reads = []
    original = Access.connectors

    def counted(self: Any) -> Any:
        reads.append(1)
        return original(self)

    monkeypatch.setattr(Access, "connectors", counted)
    out = wb.run_many("Call", [{} for _ in range(24)], concurrency=8)
    assert out["status"].tolist() == ["succeeded"] * 24
    assert len(reads) == 1
    steps = wb.sql(
        "SELECT r.status AS run, s.status AS step, s.output FROM runs r "
        "JOIN steps s USING (run_id) WHERE r.batch_id = ?",
        [out["batch_id"][0]],
    )
    assert len(steps) == 24
    assert set(steps["run"]) == {"succeeded"} and set(steps["step"]) == {"succeeded"}
