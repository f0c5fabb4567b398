"""Serving: from a kernel, from `wfbench serve`, and stopping."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from wfbench.api import ApiServer, create_app
from wfbench.workbench import Workbench

from .support import (
    API,
    WFBENCH,
    Api,
    Seed,
    cli,
    gate,
)

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
    key = wb.access.create_key("ops-dashboard", "runner")
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
        assert wb.runs.get(started.json()["run_id"])["status"] == "succeeded"
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
    gated = gate(api.wb)
    server = ApiServer(create_app(api.wb), grace=1)
    outcome: list[object] = []

    def long_call() -> None:
        with httpx.Client(base_url=server.url, headers={"x-api-key": api.keys["runner"]}) as c:
            try:
                outcome.append(c.post(f"{API}/Gate/runs", json={}, timeout=120).status_code)
            except httpx.HTTPError as exc:
                outcome.append(exc)

    caller = threading.Thread(target=long_call)
    caller.start()
    try:
        assert gated.entered.wait(60), "the run never started"  # the request is in flight
        server.stop()
        # stop() kept to its grace and did not wait for the run, which cannot end before
        # the gate opens (a wall-clock bound is bench/'s business)
        assert api.wb.runs("Gate", status="succeeded").empty
        assert not server.running
    finally:
        gated.opened.set()
    caller.join(60)
    (result,) = outcome  # dropped after the grace: an error, never a success
    assert not isinstance(result, int) or result >= 500


def test_import_wfbench_does_not_import_the_web_stack() -> None:
    code = (
        "import sys, wfbench, wfbench.workbench, wfbench.cli; "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
