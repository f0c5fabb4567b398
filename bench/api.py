"""Runs started over HTTP: starts/s and latency at 1, 8 and 32 clients, against floors.

Product: ``POST /api/v2/workflows/Ping/runs`` (a one-step ``core.log`` workflow, the
default ``wait=true``: each answer is the finished run, 201) against ``wfbench serve`` in
its own process on 127.0.0.1.

Floors, in the same run, each in its own process on 127.0.0.1 under uvicorn, on a copy of
the same store (``bench/_asgi_floor.py``): ``POST /runs`` that does ``BEGIN``, an
``INSERT`` of a run row and of a step row, ``COMMIT`` on one held DuckDB connection and
answers the row as JSON (201), as a bare ASGI callable and as a FastAPI sync route.

N client threads (one keep-alive ``httpx.Client`` each, in this process) start runs as
fast as answers come, for ``--seconds`` per (target, level); rounds are interleaved (every
target at every level, then again), and each figure is the median over rounds. Also the
in-process ``Workbench.run`` (file opened per run, and inside ``wb.hold()``).

    .venv/bin/python bench/api.py [--quick] [--seconds S] [--rounds R] [--levels 1,8,32]
"""

from __future__ import annotations

import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from _common import PING, WFBENCH, Load, header, parser, stats, table, write_json

from wfbench import Workbench

HERE = Path(__file__).resolve().parent


def in_process(wb: Workbench, seconds: float) -> list[float]:
    for _ in range(5):  # warm up
        wb.run("Ping", {}, started_by="bench")
    times: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        wb.run("Ping", {}, started_by="bench")
        times.append(time.perf_counter() - start)
    return times


def level(url: str, path: str, key: str, clients: int, seconds: float) -> dict[str, Any]:
    """N clients starting runs as fast as they get answers, for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[int] = [0] * clients
    go = threading.Barrier(clients + 1)
    stop = threading.Event()

    def client(i: int) -> None:
        with httpx.Client(base_url=url, headers={"x-api-key": key}, timeout=120) as c:
            c.post(path, json={})  # connect (and warm) before the clock starts
            go.wait()
            while not stop.is_set():
                start = time.perf_counter()
                response = c.post(path, json={})
                if response.status_code == 201:
                    latencies[i].append(time.perf_counter() - start)
                else:
                    failures[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    go.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    done = [x for per in latencies for x in per]
    return {"per_s": len(done) / elapsed, "latencies": done, "failed": sum(failures)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            httpx.get(url + "/ready", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not start")


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--seconds", type=float, help="per target and level (default 3; quick 1)")
    p.add_argument("--rounds", type=int, help="interleaved rounds (default 3; quick 1)")
    p.add_argument("--levels", default=None, help="client counts (default 1,8,32; quick 1,8)")
    args = p.parse_args()
    seconds = args.seconds or (1.0 if args.quick else 3.0)
    rounds = args.rounds or (1 if args.quick else 3)
    levels = [int(n) for n in (args.levels or ("1,8" if args.quick else "1,8,32")).split(",")]
    load = Load()
    m = header("runs started over HTTP: wfbench serve against uvicorn + held-DuckDB floors")

    work = Path(tempfile.mkdtemp(prefix="wfbench-api-"))
    procs: list[subprocess.Popen[str]] = []
    try:
        path = work / "bench.duckdb"
        wb = Workbench(path)
        wb.init()
        wb.save(PING)
        key = wb.access.create_key("bench", "runner")
        wb.run("Ping", {}, started_by="seed")
        for kind in ("bare", "fastapi"):
            shutil.copy(path, work / f"floor-{kind}.duckdb")
        n_in = min(seconds, 2.0)
        cold = in_process(wb, n_in)  # opens the file each run
        with wb.hold():
            held = in_process(wb, n_in)

        server = subprocess.Popen(
            [WFBENCH, "--db", str(path), "serve", "--port", "0", "--log-level", "warning"],
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(server)
        assert server.stdout is not None
        line = server.stdout.readline()
        product_url = line.split(" at ")[1].split("/api/")[0]
        targets: dict[str, tuple[str, str]] = {
            "wfbench serve": (product_url, "/api/v2/workflows/Ping/runs")
        }
        for kind in ("bare", "fastapi"):
            port = free_port()
            floor = subprocess.Popen(
                [
                    sys.executable,
                    str(HERE / "_asgi_floor.py"),
                    str(work / f"floor-{kind}.duckdb"),
                    str(port),
                    kind,
                ],
                text=True,
            )
            procs.append(floor)
            url = f"http://127.0.0.1:{port}"
            wait_ready(url)
            targets[f"floor: {kind} uvicorn + held DuckDB"] = (url, "/runs")

        for url, route in targets.values():  # warm up: imports, first connection, caches
            level(url, route, key, 1, 0.5)
        per: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for _ in range(rounds):
            for n in levels:
                for name, (url, route) in targets.items():
                    per.setdefault((name, n), []).append(level(url, route, key, n, seconds))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()

    check = Workbench(path)
    recorded = int(
        check.sql(
            "select count(*) as n from runs where started_by = 'api:bench' and status = ?",
            ["succeeded"],
        )["n"].iloc[0]
    )
    shutil.rmtree(work, ignore_errors=True)

    figures: dict[str, Any] = {}
    rows = []
    bare, fast = "floor: bare uvicorn + held DuckDB", "floor: fastapi uvicorn + held DuckDB"
    for n in levels:
        floor_rate = statistics.median(r["per_s"] for r in per[(bare, n)])
        fast_rate = statistics.median(r["per_s"] for r in per[(fast, n)])
        for name in targets:
            rs = per[(name, n)]
            rate = statistics.median(r["per_s"] for r in rs)
            lat = stats([x for r in rs for x in r["latencies"]])
            failed = sum(r["failed"] for r in rs)
            figures[f"{name} @ {n}"] = {
                "clients": n,
                "per_s": rate,
                "per_s_rounds": [r["per_s"] for r in rs],
                "median_ms": lat["median"] * 1000,
                "p95_ms": lat["p95"] * 1000,
                "failed": failed,
                "bare_floor_over_this": floor_rate / rate if rate else float("inf"),
                "fastapi_floor_over_this": fast_rate / rate if rate else float("inf"),
            }
            rows.append(
                [
                    str(n),
                    name,
                    f"{rate:.0f}",
                    f"{lat['median'] * 1000:.1f} ms",
                    f"{lat['p95'] * 1000:.1f} ms",
                    str(failed),
                    f"{floor_rate / rate:.2f}×" if rate else "∞",
                    f"{fast_rate / rate:.2f}×" if rate else "∞",
                ]
            )
    c, h = stats(cold), stats(held)
    print(
        f"\nin-process Workbench.run: {1 / c['median']:.0f} starts/s, median "
        f"{c['median'] * 1000:.1f} ms (file opened per run); inside wb.hold(): "
        f"{1 / h['median']:.0f} starts/s, median {h['median'] * 1000:.1f} ms"
    )
    print(f"{rounds} interleaved round(s) of {seconds:g} s per target and level")
    table(
        rows,
        [
            "clients",
            "target",
            "starts/s",
            "median",
            "p95",
            "refused",
            "bare floor rate / this",
            "FastAPI floor rate / this",
        ],
    )
    product_answered = sum(
        len(r["latencies"]) for (name, _), rs in per.items() if name == "wfbench serve" for r in rs
    )
    print(
        f"wfbench serve answered 201 to {product_answered} timed starts (+ warm-ups); succeeded "
        f"runs in history started by the key: {recorded}"
    )
    print(f"load: {load.note()}")
    write_json(
        args.json,
        {
            "bench": "api",
            "machine": m,
            **load.note(),
            "seconds": seconds,
            "rounds": rounds,
            "in_process_cold_ms": c["median"] * 1000,
            "in_process_held_ms": h["median"] * 1000,
            "levels": figures,
            "recorded": recorded,
        },
    )


if __name__ == "__main__":
    main()
