"""A batch of network calls against the network's own speed (issue 22, item 1).

A loopback HTTP server answers every request after 50 ms (threads, so calls overlap). It
runs in a process of its own, as a real server would: in the measuring process its Python
would share the GIL with what it serves. Its listen backlog is 128 (``http.server``'s
default is 5: with 32 clients connecting at once the kernel dropped connection requests,
and each dropped one waited 1 s for its retry, the product's and the floor's alike).
**Product**: ``wb.run_many`` of N rows (default 500) of a one-step workflow whose step is an
``http.request`` GET through a connector, every run recorded, at concurrency 1, 8 and 32.
**Floors**, interleaved with it: the *ideal* (``concurrency / 50 ms`` runs per second: the
server's delay alone) and *bare threads* making the same requests with ``urllib`` on a
thread pool of the same size (no runs, no history). Each product round on a fresh copy of
the same store; medians of the rounds.

    .venv/bin/python bench/batch_http.py [--quick] [--rows 500] [--rounds 3] [--json PATH]
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from _common import Load, header, parser, table, write_json

from wfbench import Workbench
from wfbench.actions.context import Connector

DELAY_S = 0.05

FLOW = {
    "format": "wfbench/v1",
    "name": "Call",
    "run_as": "administrator",
    "trigger": {"input_schema": {"type": "object", "properties": {"n": {"type": "integer"}}}},
    "steps": [
        {
            "id": "call",
            "kind": "action",
            "action": "http.request",
            "with": {"connector": "slow", "method": "GET", "path": "/item"},
        }
    ],
}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the listen backlog: set before the socket listens


class Slow(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(DELAY_S)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Serving:
    """The slow server in a child process (``--serve``), stopped by its PID."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


def serve_here() -> None:
    server = Server(("127.0.0.1", 0), Slow)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def cpu_s() -> float:
    """This process's CPU time so far (every thread, DuckDB's too)."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def bare(url: str, rows: int, concurrency: int) -> tuple[float, float]:
    """Runs per second, and CPU milliseconds per row."""

    def one(_: int) -> None:
        with urllib.request.urlopen(url + "/item", timeout=30) as r:
            r.read()

    start, cpu = time.perf_counter(), cpu_s()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(rows)))
    return rows / (time.perf_counter() - start), (cpu_s() - cpu) * 1000 / rows


def product(path: Path, rows: int, concurrency: int) -> tuple[float, float]:
    """Runs per second, and CPU milliseconds per row."""
    wb = Workbench(path)
    start, cpu = time.perf_counter(), cpu_s()
    out = wb.run_many("Call", [{"n": i} for i in range(rows)], concurrency=concurrency)
    took, used = time.perf_counter() - start, cpu_s() - cpu
    bad = out[out["status"] != "succeeded"]
    assert bad.empty, bad[["status", "error"]].head(3).to_dict("records")
    wb.close()
    return rows / took, used * 1000 / rows


def main() -> None:
    if sys.argv[1:] == ["--serve"]:
        serve_here()
        return
    p = parser(__doc__)
    p.add_argument("--rows", type=int, help="rows per batch (default 500; quick 200)")
    p.add_argument("--rounds", type=int, help="interleaved rounds (default 3; quick 1)")
    p.add_argument("--concurrency", help="levels (default 1,8,32; quick 32)")
    args = p.parse_args()
    rows = args.rows or (200 if args.quick else 500)
    rounds = args.rounds or (1 if args.quick else 3)
    levels = [int(c) for c in (args.concurrency or ("32" if args.quick else "1,8,32")).split(",")]
    load = Load()
    m = header(
        f"run_many of {rows} one-step http.request runs against a {DELAY_S * 1000:.0f} ms server"
    )
    server = Serving()
    url = server.url
    work = Path(tempfile.mkdtemp(prefix="wfbench-batch-http-"))
    figures: dict[str, Any] = {}
    try:
        seed = work / "seed.duckdb"
        wb = Workbench(seed)
        wb.init()
        wb.add_connector(Connector("slow", url, timeout_s=30))
        wb.save(FLOW)
        wb.close()
        # a warm-up batch: the first one in a process imports what a batch uses
        copy = work / "warm.duckdb"
        shutil.copy(seed, copy)
        product(copy, 20, 4)
        copy.unlink()
        results: dict[int, dict[str, list[float]]] = {
            c: {"product": [], "bare threads": []} for c in levels
        }
        cpu: dict[int, dict[str, list[float]]] = {
            c: {"product": [], "bare threads": []} for c in levels
        }
        for k in range(rounds):
            for c in levels:
                n = rows if c > 1 else max(50, rows // 10)  # concurrency 1: fewer rows
                rate, used = bare(url, n, c)
                results[c]["bare threads"].append(rate)
                cpu[c]["bare threads"].append(used)
                copy = work / f"{k}-{c}.duckdb"
                shutil.copy(seed, copy)
                rate, used = product(copy, n, c)
                results[c]["product"].append(rate)
                cpu[c]["product"].append(used)
                copy.unlink()
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)
    out = []
    for c in levels:
        ideal = c / DELAY_S
        prod = statistics.median(results[c]["product"])
        threads = statistics.median(results[c]["bare threads"])
        prod_cpu = statistics.median(cpu[c]["product"])
        threads_cpu = statistics.median(cpu[c]["bare threads"])
        figures[f"concurrency {c}"] = {
            "runs_per_s": prod,
            "bare_threads_per_s": threads,
            "ideal_per_s": ideal,
            "of_ideal": prod / ideal,
            "of_bare_threads": prod / threads,
            "cpu_ms_per_run": prod_cpu,
            "bare_cpu_ms_per_request": threads_cpu,
            "rounds": results[c],
            "cpu_rounds": cpu[c],
        }
        out.append(
            [
                str(c),
                f"{prod:,.1f}/s",
                f"{threads:,.1f}/s",
                f"{ideal:,.0f}/s",
                f"{prod / ideal:.0%}",
                f"{prod / threads:.0%}",
                f"{prod_cpu:.2f} / {threads_cpu:.2f} ms",
            ]
        )
    print(f"\nmedian of {rounds} interleaved round(s); {rows} rows (concurrency 1: fewer)")
    table(
        out,
        [
            "concurrency",
            "wfbench",
            "bare threads",
            "ideal",
            "of ideal",
            "of bare threads",
            "CPU per run / per bare request",
        ],
    )
    top = max(levels)
    print(
        f"at concurrency {top}: {figures[f'concurrency {top}']['of_ideal']:.0%} of the ideal "
        "(target ≥ 60%)"
    )
    print(f"load: {load.note()}")
    write_json(
        args.json, {"bench": "batch_http", "machine": m, **load.note(), "rows": rows, **figures}
    )


if __name__ == "__main__":
    main()
