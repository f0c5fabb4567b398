"""Runs started over HTTP: starts per second and latency with 1, 8 and 32 clients.

A one-step workflow (``core.log``) is started with ``POST /api/v2/workflows/Ping/runs``
(the default ``wait=true``: each answer is the finished run, 201) against
``wfbench serve`` in its own process on 127.0.0.1, by N client threads with one
keep-alive ``httpx.Client`` each, for a few seconds per level. The baseline is the
same start as a plain ``Workbench.run`` call in this process, one at a time: as
the server does, opening the store file for each run; and inside ``wb.hold()``.

    .venv/bin/python bench/api.py [--seconds S] [--levels 1,8,32]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from wfbench.workbench import Workbench

PING = {
    "format": "wfbench/v1",
    "name": "Ping",
    "run_as": "read_only",
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "ping"}}],
}
WFBENCH = shutil.which("wfbench", path=str(Path(sys.executable).parent)) or "wfbench"


def baseline(wb: Workbench, seconds: float) -> tuple[float, float]:
    """Starts per second and median latency (ms) of ``wb.run`` in this process."""
    for _ in range(5):  # warm up
        wb.run("Ping", {}, started_by="bench")
    times: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        wb.run("Ping", {}, started_by="bench")
        times.append(time.perf_counter() - start)
    return len(times) / sum(times), statistics.median(times) * 1000


def level(url: str, key: str, clients: int, seconds: float) -> dict[str, float]:
    """N clients starting runs as fast as they get answers, for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[int] = [0] * clients
    go = threading.Barrier(clients + 1)
    stop = threading.Event()

    def client(i: int) -> None:
        with httpx.Client(base_url=url, headers={"x-api-key": key}, timeout=60) as c:
            c.get("/api/v2/workflows")  # connect before the clock starts
            go.wait()
            while not stop.is_set():
                start = time.perf_counter()
                response = c.post("/api/v2/workflows/Ping/runs", json={})
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
    done = sorted(x for per in latencies for x in per)
    return {
        "clients": clients,
        "starts": len(done),
        "per_s": len(done) / elapsed,
        "median_ms": statistics.median(done) * 1000 if done else float("nan"),
        "p95_ms": done[int(len(done) * 0.95)] * 1000 if done else float("nan"),
        "failed": sum(failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per level (default 4)")
    parser.add_argument("--levels", default="1,8,32", help="client counts (default 1,8,32)")
    args = parser.parse_args()
    levels = [int(n) for n in args.levels.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        wb = Workbench(path)
        wb.init()
        wb.save(PING)
        key = wb.create_api_key("bench", "runner")
        base_rate, base_ms = baseline(wb, min(args.seconds, 3.0))  # opens the file each time
        with wb.hold():
            held_rate, held_ms = baseline(wb, min(args.seconds, 3.0))  # keeps it open
        wb.store.close()

        with subprocess.Popen(
            [WFBENCH, "--db", str(path), "serve", "--port", "0", "--log-level", "warning"],
            stdout=subprocess.PIPE,
            text=True,
        ) as server:
            try:
                assert server.stdout is not None
                line = server.stdout.readline()
                url = line.split(" at ")[1].split("/api/")[0]
                warm = level(url, key, 1, 0.5)  # warm up: imports, first connection, caches
                results = [level(url, key, n, args.seconds) for n in levels]
            finally:
                server.terminate()
                server.wait(30)
        check = Workbench(path)
        query = "select count(*) as n from runs where started_by = 'api:bench' and status = ?"
        recorded = int(check.sql(query, ["succeeded"])["n"].iloc[0])
        check.store.close()

    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"in-process Workbench.run: {base_rate:.0f} starts/s, median {base_ms:.1f} ms")
    print(f"  inside wb.hold(): {held_rate:.0f} starts/s, median {held_ms:.1f} ms")
    print("| clients | starts/s | median latency | p95 latency | refused |")
    print("|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['clients']} | {r['per_s']:.0f} | {r['median_ms']:.1f} ms "
            f"| {r['p95_ms']:.1f} ms | {r['failed']} |"
        )
    answered = sum(int(r["starts"]) for r in [warm, *results])
    print(
        f"runs answered 201: {answered}; succeeded runs in history started by the key: {recorded}"
    )


if __name__ == "__main__":
    main()
