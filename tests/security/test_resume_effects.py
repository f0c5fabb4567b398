"""Issue 19.1 and 19.2: at most once across a kill -9 and a resume; a batch id runs once
at a time.

Before: killing ``wfbench run NAME --inputs FILE`` mid-batch and resuming it ran every
row that was in flight again from the start (12 of 12 repeated their e-mail and their
POST); a batch started again while it ran ran rows twice.

Here a CLI batch of 12 rows runs a workflow of an idempotent ``PUT``, an e-mail (the
outbox) and a ``POST`` against a real loopback HTTP server, which counts what it
receives and holds some requests open: rows 0 and 1 at their POST, rows 2 and 3 at their
PUT. With the four runs in flight, the CLI is killed (SIGKILL) and the batch resumed.
Effects are counted where they land: the server's POSTs and the outbox's messages, none
twice; the PUT (idempotent) may be sent again.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wfbench import Workbench
from wfbench.errors import Conflict

from .conftest import WFBENCH, connector_class, workflow

ROWS = 12
HOLD_POST = {0, 1}
HOLD_PUT = {2, 3}
BOUND_S = 60.0


class Receiver:
    """A loopback HTTP server counting requests by ``METHOD row``; holds some open."""

    def __init__(self) -> None:
        outer = self
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.held = threading.Semaphore(0)
        self.release = threading.Event()
        self.holding = True

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                row = int(self.path.rsplit("/", 1)[-1])
                with outer.lock:
                    outer.seen[f"{self.command} {row}"] += 1
                    hold = outer.holding and (
                        (self.command == "POST" and row in HOLD_POST)
                        or (self.command == "PUT" and row in HOLD_PUT)
                    )
                if hold:
                    outer.held.release()
                    outer.release.wait(BOUND_S)
                    return  # the caller is gone
                data = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_PUT = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def _call(step: str, method: str, after: str | None = None) -> dict[str, Any]:
    return {
        "id": step,
        "kind": "action",
        "action": "http.request",
        "with": {"connector": "hook", "method": method, "path": "/{{ input.row }}"},
        "timeout_s": BOUND_S,
    }


def _prepare(store: Path, url: str, tmp: Path) -> Path:
    wb = Workbench(str(store))
    wb.init(demo=True)
    wb.add_connector(connector_class()(name="hook", base_url=url, auth="none"))
    steps = [
        _call("put", "PUT"),
        {
            "id": "mail",
            "kind": "action",
            "action": "notify.email",
            "with": {"to": "row{{ input.row }}@example.com", "subject": "row", "body": "hi"},
        },
        _call("post", "POST"),
    ]
    wb.save(
        workflow(
            steps,
            schema={"type": "object", "properties": {"row": {"type": "integer"}}},
            name="Effects",
            run_as="administrator",
        )
    )
    inputs = tmp / "rows.jsonl"
    inputs.write_text("".join(json.dumps({"row": i}) + "\n" for i in range(ROWS)))
    return inputs


_COMMAND = (WFBENCH,)
_BATCH = ("--batch", "b1", "--concurrency", "4", "--json")


def _batch(store: Path, inputs: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*_COMMAND, "--db", str(store), "run", "Effects", "--inputs", str(inputs), *_BATCH, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _outbox(store: Path) -> Counter[str]:
    frame = Workbench(str(store)).sql("select to_addr from outbox")
    return Counter(str(v) for v in frame.iloc[:, 0])


def test_kill_9_then_resume_repeats_no_effect(tmp_path: Path, receiver: Receiver) -> None:
    store = tmp_path / "store.duckdb"
    inputs = _prepare(store, receiver.url, tmp_path)
    first = _batch(store, inputs)
    try:
        for _ in range(len(HOLD_POST) + len(HOLD_PUT)):  # the four runs are in flight
            assert receiver.held.acquire(timeout=BOUND_S), "the batch never reached the holds"
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=BOUND_S)
    receiver.holding = False
    receiver.release.set()
    assert receiver.seen["POST 0"] == receiver.seen["POST 1"] == 1

    resumed = _batch(store, inputs)
    out, err = resumed.communicate(timeout=BOUND_S * 2)
    rows = {r["row"]: r for r in json.loads(out)}
    assert "Traceback" not in err

    posts = {row: receiver.seen[f"POST {row}"] for row in range(ROWS)}
    mails = _outbox(store)
    assert all(n == 1 for n in posts.values()), f"POSTs per row: {posts}"
    assert all(n <= 1 for n in mails.values()), f"e-mails per address: {mails}"
    for row in HOLD_POST:  # their POST may have happened: not started again
        assert rows[row]["status"] == "interrupted"
        assert "effects may have happened" in rows[row]["error"]
    for row in set(range(ROWS)) - HOLD_POST:
        assert rows[row]["status"] == "succeeded", rows[row]
        assert mails[f"row{row}@example.com"] == 1
    assert resumed.returncode == 1  # rows left interrupted

    # asked by name, row 0 runs again (its POST a second time, as the user asked)
    again = _batch(store, inputs, "--rerun-interrupted", "0")
    out, _ = again.communicate(timeout=BOUND_S * 2)
    rows = {r["row"]: r for r in json.loads(out)}
    assert rows[0]["status"] == "succeeded"
    assert rows[1]["status"] == "interrupted"
    assert receiver.seen["POST 0"] == 2 and receiver.seen["POST 1"] == 1


def test_a_batch_id_runs_once_at_a_time(demo_store: Path) -> None:
    """A notebook cell run again while its batch (``wait=False``) still goes: refused."""
    wb = Workbench(str(demo_store))
    release = threading.Event()
    calls: Counter[int] = Counter()

    from pydantic import BaseModel

    class Row(BaseModel):
        row: int

    class Done(BaseModel):
        done: bool = True

    @wb.action("custom.slow", input=Row, output=Done, remote=True)
    def slow(params: Row, ctx: Any) -> Done:
        calls[params.row] += 1
        release.wait(BOUND_S)
        return Done()

    wb.save(
        workflow(
            [
                {
                    "id": "s",
                    "kind": "action",
                    "action": "custom.slow",
                    "with": {"row": "{{ input.row }}"},
                }
            ],
            schema={"type": "object", "properties": {"row": {"type": "integer"}}},
            name="Slow",
            run_as="read_only",
        )
    )
    rows = [{"row": i} for i in range(40)]
    job = wb.run_many("Slow", rows, batch="b2", wait=False, progress=False)
    try:
        with pytest.raises(Conflict, match="running already"):
            second = wb.run_many("Slow", rows, batch="b2", wait=False, progress=False)
            second.wait(BOUND_S)  # reached only without the claim: let it end
    finally:
        release.set()
    frame = job.wait(BOUND_S)
    assert set(frame["status"]) == {"succeeded"}
    assert max(calls.values()) == 1
    # the same batch once it has ended: resumes, runs nothing again
    again = wb.run_many("Slow", rows, batch="b2", progress=False)
    assert bool(again["resumed"].all()) and max(calls.values()) == 1
