"""Scale: action work in the kernel vs on a 2-worker Dask LocalCluster (issue 13).

Ratios measured in one run, medians of interleaved repeats:

* CPU: a ~20 ms pure-Python custom action (``remote=True``) over 200 batch rows, in the
  kernel (threads: the GIL serialises) vs on 2 local worker processes;
* I/O: ``http.request`` against a loopback server that answers after 50 ms, over 500
  rows: sequential (concurrency 1) vs concurrency 32 on kernel threads and on the cluster;
* orchestration: a step that does nothing, in-kernel vs through Dask, per step (µs),
  idempotent (no claim) and not (the one-time claim of a side effect);
* the single writer: runs recorded per second by the store's one writing process (one
  commit per short run), the ceiling a bigger cluster meets.

    .venv/bin/python bench/scale.py [--quick]
"""

from __future__ import annotations

import argparse
import http.server
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_actions

from wfbench import Workbench
from wfbench.actions.context import Connector


class _Slow(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        time.sleep(0.05)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _serve() -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def _calibrate(target_s: float = 0.020) -> int:
    rounds = 100_000
    while True:
        t0 = time.perf_counter()
        scale_actions.cpu(scale_actions.CpuIn(rounds=rounds), None)
        took = time.perf_counter() - t0
        if took > 0.005:
            return int(rounds * target_s / took)
        rounds *= 4


def _timed(func: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    out = func()
    took = time.perf_counter() - t0
    bad = out[out["status"] != "succeeded"]
    assert bad.empty, bad[["status", "error"]].head()
    return took


def _batch(wb: Workbench, flow: str, rows: list[dict[str, Any]], **kw: Any) -> Callable[[], Any]:
    return lambda: wb.run_many(flow, rows, progress=False, **kw)


def _interleaved(cases: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(repeats):
        for name, case in cases.items():
            times[name].append(_timed(case))
    return {k: statistics.median(v) for k, v in times.items()}


def _echo(x: int) -> int:
    return x


def _plain_loop(rounds: int, n: int) -> Any:
    import pandas as pd

    for _ in range(n):
        scale_actions.cpu(scale_actions.CpuIn(rounds=rounds), None)
    return pd.DataFrame({"status": ["succeeded"]})


def _bare_map(client: Any, rounds: int, n: int) -> Any:
    import pandas as pd

    params = [scale_actions.CpuIn(rounds=rounds)] * n
    futures = client.map(scale_actions.cpu, params, [None] * n, pure=False)
    client.gather(futures)
    return pd.DataFrame({"status": ["succeeded"]})


def _round_trips(client: Any, n: int) -> float:
    """µs per bare ``client.submit(...).result()`` of a function that does nothing."""
    t0 = time.perf_counter()
    for i in range(n):
        client.submit(_echo, i, pure=False).result()
    return (time.perf_counter() - t0) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rows and one repeat")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    cpu_n, io_n, nop_n, repeats = (40, 100, 50, 1) if args.quick else (200, 500, 200, 3)
    folder = Path(tempfile.mkdtemp(prefix="wfbench-scale-"))
    wb = Workbench(folder / "scale.duckdb")
    wb.init()
    scale_actions.register(wb)
    url = _serve()
    wb.add_connector(Connector("slow", url, timeout_s=10))
    rounds = _calibrate()
    wb.save(scale_actions.workflow("cpu", "bench.cpu", {"rounds": rounds}))
    wb.save(
        scale_actions.workflow(
            "io", "http.request", {"connector": "slow", "path": "/"}, run_as="administrator"
        )
    )
    wb.save(scale_actions.workflow("nop", "bench.nop", {"n": "{{ 1 }}"}))
    wb.save(scale_actions.workflow("nop_effect", "bench.nop_effect", {"n": "{{ 1 }}"}))
    wb.save(scale_actions.workflow("log", "core.log", {"message": "x"}))

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = Client(cluster)
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"# cpu action: {rounds} rounds ≈ 20 ms; repeats {repeats} (medians)")
    with wb.hold():
        # warm both paths (imports on the workers, the store's caches)
        _timed(_batch(wb, "cpu", [{}] * 4, executor=client, concurrency=2))
        _timed(_batch(wb, "nop", [{}] * 4, executor=client, concurrency=1))

        cpu = _interleaved(
            {
                "kernel": _batch(wb, "cpu", [{}] * cpu_n, concurrency=8),
                "cluster": _batch(wb, "cpu", [{}] * cpu_n, executor=client, concurrency=8),
            },
            repeats,
        )
        bare = _interleaved(
            {
                "plain loop": lambda: _plain_loop(rounds, cpu_n),
                "bare dask": lambda: _bare_map(client, rounds, cpu_n),
            },
            repeats,
        )
        print(f"\n## CPU-bound, {cpu_n} × ~20 ms (load average {os.getloadavg()[0]:.1f})")
        for k, v in {**cpu, **bare}.items():
            print(f"{k:>10}: {v:7.2f} s")
        print(f"speed-up on 2 workers, wfbench: {cpu['kernel'] / cpu['cluster']:.2f}×")
        print(
            f"speed-up on 2 workers, bare Dask map (the floor): "
            f"{bare['plain loop'] / bare['bare dask']:.2f}×"
        )

        io_rows = [{}] * io_n
        io = _interleaved(
            {
                "sequential": _batch(wb, "io", io_rows, concurrency=1),
                "threads 32": _batch(wb, "io", io_rows, concurrency=32),
                "cluster 32": _batch(wb, "io", io_rows, executor=client, concurrency=32),
            },
            1,
        )
        print(f"\n## I/O-bound http.request, {io_n} × 50 ms")
        for k, v in io.items():
            print(f"{k:>10}: {v:7.2f} s  ({io_n / v:6.1f} runs/s)")
        print(f"threads 32 / sequential: {io['sequential'] / io['threads 32']:.1f}×")
        print(f"cluster 32 / sequential: {io['sequential'] / io['cluster 32']:.1f}×")

        nop_rows = [{}] * nop_n
        nop = _interleaved(
            {
                "kernel": _batch(wb, "nop", nop_rows, concurrency=1),
                "dask": _batch(wb, "nop", nop_rows, executor=client, concurrency=1),
                "dask claim": _batch(wb, "nop_effect", nop_rows, executor=client, concurrency=1),
                "kernel effect": _batch(wb, "nop_effect", nop_rows, concurrency=1),
            },
            repeats,
        )
        per = {k: v / nop_n * 1e6 for k, v in nop.items()}
        per["bare dask"] = statistics.median(_round_trips(client, nop_n) for _ in range(repeats))
        print(f"\n## Orchestration, {nop_n} one-step runs, sequential (per run/step)")
        for k, v in per.items():
            print(f"{k:>13}: {v:8.0f} µs")
        print(
            f"Dask path costs {per['dask'] - per['kernel']:.0f} µs more per step "
            f"({per['dask claim'] - per['kernel effect']:.0f} µs for a non-idempotent side "
            "effect, with its one-time claim)"
        )

        log = _interleaved({"writer": _batch(wb, "log", [{}] * nop_n, concurrency=1)}, repeats)
        log4 = _interleaved({"writer": _batch(wb, "log", [{}] * nop_n, concurrency=4)}, repeats)
        print("\n## The single writer (one commit per short run)")
        print(f"runs recorded per second, 1 at a time: {nop_n / log['writer']:.0f}")
        print(f"runs recorded per second, 4 at a time: {nop_n / log4['writer']:.0f}")
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
