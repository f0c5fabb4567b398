"""A batch of HTTP calls at concurrency 8 through the group commit (issue 22, item 1): every
run and its step are in history, succeeded, and the connectors were read once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from wfbench import Workbench
from wfbench.actions.context import Connector


def _one_step(name: str, action: str, with_: dict[str, str]) -> dict[str, Any]:
    """A workflow of one action step, run as administrator."""
    step = {"id": name.lower(), "kind": "action", "action": action, "with": with_}
    return {"format": "wfbench/v1", "name": name, "run_as": "administrator", "steps": [step]}


def _tickets(
    monkeypatch: pytest.MonkeyPatch, after: Callable[[Any], None] = lambda records: None
) -> list[Any]:
    """Every ``Records`` the batch's group commit writes, in order; ``after(records)`` once
    each is written (so durable)."""
    from wfbench.store.group_commit import GroupCommit

    tickets: list[Any] = []
    write = GroupCommit.write

    def noted(self: GroupCommit, records: Any) -> None:
        tickets.append(records)
        write(self, records)
        after(records)

    monkeypatch.setattr(GroupCommit, "write", noted)
    return tickets


@pytest.fixture
def url() -> Iterator[str]:
    server = _seen_server(set(), {})
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_batch_of_calls_records_every_run_and_step(
    tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = Workbench(tmp_path / "store.duckdb")
    wb.init()
    wb.add_connector(Connector("api", url))
    wb.save(_one_step("Call", "http.request", {"connector": "api", "method": "GET", "path": "/x"}))
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


def _seen_server(durable: set[str], at_call: dict[str, bool]) -> ThreadingHTTPServer:
    """Answers GET and POST; notes, as each request arrives, whether its run's effect mark
    was already committed (in ``durable``, filled as the group commit writes)."""

    class Seen(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            key = f"{self.command} {self.path}"
            at_call[key] = key in durable
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Seen)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_post_is_marked_durably_before_its_call_and_a_get_commits_once_at_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most once for the POST (its mark committed before the server sees it); the GET,
    idempotent, is not waited on: its run commits once, with its end."""
    durable: set[str] = set()
    at_call: dict[str, bool] = {}
    server = _seen_server(durable, at_call)
    keys: dict[str, str] = {}  # run id -> its row's request, from the run rows written

    def committed(records: Any) -> None:
        for row in records.starts:
            keys[row["run_id"]] = row["input"]["method"] + " /x/" + str(row["input"]["n"])
        durable.update(keys[m["run_id"]] for m in records.marks if m["run_id"] in keys)

    tickets = _tickets(monkeypatch, committed)
    try:
        wb = Workbench(tmp_path / "store.duckdb")
        wb.init()
        wb.add_connector(Connector("api", f"http://127.0.0.1:{server.server_address[1]}"))
        call = {"connector": "api", "method": "{{ input.method }}", "path": "/x/{{ input.n }}"}
        wb.save(_one_step("Call", "http.request", call))
        rows = [{"method": m, "n": i} for i in range(8) for m in ("GET", "POST")]
        out = wb.run_many("Call", rows, concurrency=8)
    finally:
        server.shutdown()
        server.server_close()
    assert out["status"].tolist() == ["succeeded"] * 16
    posts = {k: v for k, v in at_call.items() if k.startswith("POST")}
    gets = {k: v for k, v in at_call.items() if k.startswith("GET")}
    assert len(posts) == len(gets) == 8
    assert all(posts.values()), posts  # each POST's mark was durable when it arrived
    assert not any(gets.values()), gets  # no commit was waited for before a GET
    assert len(tickets) == 8 * 2 + 8  # a POST run: before its call and at its end; a GET: once
    marks = wb.sql("SELECT idempotent, count(*) AS n FROM effects GROUP BY ALL ORDER BY 1")
    assert marks.to_dict("list") == {"idempotent": [False, True], "n": [8, 8]}


def test_a_builtin_on_the_embedded_directory_commits_its_mark_with_its_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its change, effect mark and record commit as one on the run's cursor (the change is
    local: nothing of it exists before that commit), so no group commit precedes it; the
    run's end goes with the group."""
    tickets = _tickets(monkeypatch)
    wb = Workbench(tmp_path / "store.duckdb")
    wb.init(demo=True)
    mail = {"to": "u{{ input.n }}@example.com", "subject": "s", "body": "b"}
    wb.save(_one_step("Mail", "notify.email", mail))
    out = wb.run_many("Mail", [{"n": i} for i in range(12)], concurrency=4)
    assert out["status"].tolist() == ["succeeded"] * 12
    assert len(tickets) == 12 and all(t.ends and not t.marks for t in tickets)
    counts = wb.sql(
        "SELECT (SELECT count(*) FROM outbox WHERE to_addr LIKE 'u%') AS mails, "
        "(SELECT count(*) FROM effects WHERE NOT idempotent) AS marks, "
        "(SELECT count(*) FROM steps WHERE action = 'notify.email') AS steps"
    )
    assert counts.to_dict("records") == [{"mails": 12, "marks": 12, "steps": 12}]
