"""Issue 19, item 3: fair turns under load. A process in line gets the store within
``$WFBENCH_LOCK_TIMEOUT`` whatever the HTTP load: ``wfbench serve`` reads a request's whole
body before it asks for the store and hands the file over between requests; a batch takes
its turn row by row. Real processes, a real server on loopback; the outcomes asserted are
exit codes and answers (the generous lock timeout only matters when the turn never comes).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from wfbench import Workbench

BIN = Path(sys.executable).parent
WFBENCH = str(BIN / "wfbench")
#: Long enough that a process in line gets its turn on a loaded machine; with the old
#: unfair server a CLI command waited it out and exited 4 (StoreBusy).
LOCK_TIMEOUT = "40"
PING = {
    "format": "wfbench/v1",
    "name": "Ping",
    "run_as": "read_only",
    "trigger": {"input_schema": {"type": "object"}},
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "p"}}],
}


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "WFBENCH_LOCK_TIMEOUT": LOCK_TIMEOUT, **extra}


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "store.duckdb"
    wb = Workbench(db)
    wb.init()
    wb.save(PING)
    key = wb.access.create_key("load", "runner")
    wb.close()
    return db, key


@contextlib.contextmanager
def serving(db: Path, **env: str) -> Iterator[str]:
    """``wfbench serve`` on a free loopback port; its base URL. Stopped by PID."""
    proc = subprocess.Popen(
        [WFBENCH, "--db", str(db), "serve", "--port", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(**env),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert " at " in line, f"the server did not start: {line!r}"
        yield line.split(" at ")[1].split("/api/")[0]
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=10)


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WFBENCH, "--db", str(db), *args], capture_output=True, text=True, timeout=300, env=_env()
    )


@contextlib.contextmanager
def hammered(url: str, key: str, clients: int) -> Iterator[list[int]]:
    """``clients`` HTTP clients starting runs back to back; the statuses they got."""
    statuses: list[int] = []
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=url, headers={"x-api-key": key}, timeout=120) as c:
            while not stop.is_set():
                statuses.append(c.post("/api/v2/workflows/Ping/runs", json={}).status_code)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    try:
        with httpx.Client(base_url=url, headers={"x-api-key": key}, timeout=120) as c:
            while len(statuses) < clients:  # all of them under way (bounded by their timeout)
                assert any(t.is_alive() for t in threads), statuses
                c.get("/api/v2/runs", params={"limit": 1})
        yield statuses
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=150)


@pytest.mark.slow
def test_cli_runs_beside_a_hammered_server(store: tuple[Path, str]) -> None:
    db, key = store
    with serving(db) as url, hammered(url, key, clients=16) as statuses:
        results = [_cli(db, "run", "Ping", "--input", "{}") for _ in range(4)]
        served_meanwhile = len(statuses)
    assert [r.returncode for r in results] == [0] * 4, [r.stderr[-500:] for r in results]
    assert set(statuses) == {201}, sorted(set(statuses))
    assert served_meanwhile > 16  # the server kept answering between the CLI's turns


@pytest.mark.slow
def test_list_works_while_a_long_batch_runs(store: tuple[Path, str], tmp_path: Path) -> None:
    db, _ = store
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(3000)), encoding="utf-8")
    batch = subprocess.Popen(
        [WFBENCH, "--db", str(db), "run", "Ping", "--inputs", str(rows), "--concurrency", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert batch.stderr is not None
        first = batch.stderr.readline()  # its first progress line: rows are running
        assert first, f"the batch printed nothing (exit {batch.wait(60)})"
        listed = [_cli(db, "list") for _ in range(3)]
        still_running = batch.poll() is None
    finally:
        batch.terminate()
        batch.communicate(timeout=60)
    assert [r.returncode for r in listed] == [0] * 3, [r.stderr[-500:] for r in listed]
    assert all("Ping" in r.stdout for r in listed)
    assert still_running, "the batch ended before the lists: they did not run beside it"


def test_half_sent_body_does_not_hold_the_store(store: tuple[Path, str]) -> None:
    db, key = store
    with serving(db, WFBENCH_BODY_TIMEOUT="3") as url:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=120) as sock:
            sock.sendall(
                b"POST /api/v2/workflows/Ping/runs HTTP/1.1\r\nHost: x\r\n"
                + f"x-api-key: {key}\r\n".encode()
                + b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a": '
            )
            result = _cli(db, "run", "Ping", "--input", "{}")
            answer = b""
            while chunk := sock.recv(65536):  # the server closes after its answer
                answer += chunk
        assert result.returncode == 0, result.stderr[-500:]
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"request-timeout" in answer
        with httpx.Client(base_url=url, headers={"x-api-key": key}, timeout=60) as c:
            late = c.post("/api/v2/workflows/Ping/runs", json={})
            big = c.post(
                "/api/v2/workflows/Ping/runs",
                content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                headers={"content-type": "application/json"},
            )
    assert late.status_code == 201, late.text
    assert big.status_code == 413, big.text
