"""Five people on one store (issue 10, item 11): waits and errors per operation, against one
process alone.

Each worker is its own process with its own ``Workbench`` on the same store file (the file
opened per operation, as the CLI and a notebook between cells do), repeating a training
room's mix for ``--seconds``: import its definition file (a new version each time), run
it (``core.log`` + ``users.get``), read its history (``wb.runs(workflow, limit=100)`` and
the last run with its steps), list the workflows, with a random pause of 0 to
2 × ``--think`` seconds between operations.

Phase 1, the floor: one worker alone. Phase 2: five workers at once, plus a sixth process,
``wfbench serve`` on the same file, under a steady trickle of API starts (a one-step Ping,
``POST …/runs`` every ``--api-interval`` seconds from this process). Reported per
operation: count, p50/p95/max time (a wait for the file is inside it), ``StoreBusy``
errors and any other errors; the ratio of the shared p95 to the alone p95.

    .venv/bin/python bench/store_sharing.py [--quick] [--seconds S] [--workers N] [--json P]
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _common import PING, WFBENCH, Load, header, parser, stats, table, write_json


def definition(i: int) -> dict[str, Any]:
    return {
        "format": "wfbench/v1",
        "name": f"Training {i}",
        "run_as": "read_only",
        "trigger": {
            "input_schema": {
                "type": "object",
                "required": ["email"],
                "properties": {"email": {"type": "string"}},
            }
        },
        "steps": [
            {"id": "hello", "kind": "action", "action": "core.log", "with": {"message": "hi"}},
            {
                "id": "user",
                "kind": "action",
                "action": "users.get",
                "with": {"email": "{{ input.email }}"},
            },
        ],
    }


def worker(db: str, i: int, seconds: float, think: float, out: str) -> None:
    from wfbench import StoreBusy, Workbench

    wb = Workbench(db, user=f"trainee{i}")
    rng = random.Random(i)
    file = Path(out).with_suffix(".wfb.json")
    doc = definition(i)
    emails = json.loads(os.environ["BENCH_EMAILS"])
    records: list[dict[str, Any]] = []
    last_run: list[str] = []

    def do_import() -> None:
        doc["description"] = f"edit {rng.random()}"
        file.write_text(json.dumps(doc), encoding="utf-8")
        wb.workflows.import_files(file)

    def do_run() -> None:
        run = wb.run(doc["name"], {"email": rng.choice(emails)})
        last_run[:] = [run.run_id]

    def do_history() -> None:
        wb.runs(doc["name"], limit=100)
        if last_run:
            wb.runs.get(last_run[0])

    def do_list() -> None:
        wb.workflows()

    ops = [("import", do_import), ("run", do_run), ("history", do_history), ("list", do_list)]
    ops += [("run", do_run), ("history", do_history)]
    Path(out).with_suffix(".ready").touch()
    go = Path(out).parent / "go"
    while not go.exists():
        time.sleep(0.01)
    end = time.time() + seconds
    k = 0
    while time.time() < end:
        name, fn = ops[k % len(ops)]
        k += 1
        t0 = time.perf_counter()
        error = None
        try:
            fn()
        except StoreBusy:
            error = "StoreBusy"
        except Exception as exc:  # counted, never hidden
            error = type(exc).__name__ + ": " + str(exc)[:200]
        records.append({"op": name, "s": time.perf_counter() - t0, "error": error})
        time.sleep(rng.uniform(0, 2 * think))
    Path(out).write_text(json.dumps(records), encoding="utf-8")


def trickle(
    url: str, key: str, interval: float, stop: threading.Event, into: list[dict[str, Any]]
) -> None:
    import httpx

    with httpx.Client(base_url=url, headers={"x-api-key": key}, timeout=120) as c:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                r = c.post("/api/v2/workflows/Ping/runs", json={})
                error = None if r.status_code == 201 else f"HTTP {r.status_code}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            took = time.perf_counter() - t0
            into.append({"op": "api start", "s": took, "error": error})
            stop.wait(max(0.0, interval - took))


def phase(
    db: Path, work: Path, n: int, seconds: float, think: float, emails: list[str], tag: str
) -> list[dict[str, Any]]:
    (work / "go").unlink(missing_ok=True)
    procs = []
    outs = []
    for i in range(n):
        out = work / f"{tag}-{i}.json"
        outs.append(out)
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    str(i),
                    "--db",
                    str(db),
                    "--seconds",
                    str(seconds),
                    "--think",
                    str(think),
                    "--out",
                    str(out),
                ],
                env={**os.environ, "BENCH_EMAILS": json.dumps(emails)},
            )
        )
    deadline = time.monotonic() + 300
    while not all(o.with_suffix(".ready").exists() for o in outs):  # all imported and ready
        if time.monotonic() > deadline or any(proc.poll() is not None for proc in procs):
            break
        time.sleep(0.05)
    (work / "go").touch()
    records: list[dict[str, Any]] = []
    for proc, out in zip(procs, outs, strict=True):
        proc.wait(timeout=seconds + 300)
        if out.exists():
            records += [{**r, "worker": proc.args[3]} for r in json.loads(out.read_text())]
        else:
            records.append({"op": "worker", "s": 0.0, "error": f"exit {proc.returncode}"})
    return records


def summarise(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    by: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by.setdefault(r["op"], []).append(r)
    out = {}
    for op, rs in by.items():
        st = stats([r["s"] for r in rs])
        errors = [r["error"] for r in rs if r["error"]]
        out[op] = {
            **st,
            "busy": sum(1 for e in errors if e == "StoreBusy"),
            "other_errors": sum(1 for e in errors if e != "StoreBusy"),
            "error_examples": sorted({e for e in errors if e != "StoreBusy"})[:3],
        }
    return out


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--seconds", type=float, help="per phase (default 60; quick 10)")
    p.add_argument("--workers", type=int, default=5, help="processes sharing the store (5)")
    p.add_argument("--think", type=float, default=0.2, help="mean pause between operations")
    p.add_argument("--api-interval", type=float, default=0.5, help="seconds between API starts")
    p.add_argument("--worker", type=int, help=argparse_hidden())
    p.add_argument("--db", help=argparse_hidden())
    p.add_argument("--out", help=argparse_hidden())
    args = p.parse_args()
    if args.worker is not None:
        worker(args.db, args.worker, args.seconds, args.think, args.out)
        return
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    load = Load()
    m = header(f"{args.workers} processes on one store file, and wfbench serve, for {seconds:g} s")
    from wfbench import Workbench

    with tempfile.TemporaryDirectory(prefix="wfbench-sharing-") as tmp:
        work = Path(tmp)
        db = work / "store.duckdb"
        wb = Workbench(db)
        wb.init(demo=True)
        wb.save(PING)
        for i in range(args.workers):
            wb.save(definition(i))
        key = wb.access.create_key("bench", "runner")
        emails = wb.sql("select email from users order by id limit 50")["email"].tolist()
        del wb

        alone = phase(db, work, 1, seconds, args.think, emails, "alone")

        server = subprocess.Popen(
            [WFBENCH, "--db", str(db), "serve", "--port", "0", "--log-level", "warning"],
            stdout=subprocess.PIPE,
            text=True,
        )
        api: list[dict[str, Any]] = []
        stop = threading.Event()
        try:
            assert server.stdout is not None
            url = server.stdout.readline().split(" at ")[1].split("/api/")[0]
            feeder = threading.Thread(
                target=trickle, args=(url, key, args.api_interval, stop, api), daemon=True
            )
            feeder.start()
            shared = phase(db, work, args.workers, seconds, args.think, emails, "shared")
            stop.set()
            feeder.join(timeout=150)
        finally:
            stop.set()
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()

    a, s, api_s = summarise(alone), summarise(shared), summarise(api)
    rows = []
    for op in ("import", "run", "history", "list"):
        for label, d in (("1 alone (floor)", a), (f"{args.workers} sharing + serve", s)):
            if op not in d:
                continue
            x = d[op]
            ratio = x["p95"] / a[op]["p95"] if op in a and a[op]["p95"] else float("nan")
            rows.append(
                [
                    op,
                    label,
                    str(x["n"]),
                    f"{x['median'] * 1000:,.0f} ms",
                    f"{x['p95'] * 1000:,.0f} ms",
                    f"{x['max'] * 1000:,.0f} ms",
                    str(x["busy"]),
                    str(x["other_errors"]),
                    f"{ratio:.1f}×",
                ]
            )
    if "api start" in api_s:
        x = api_s["api start"]
        rows.append(
            [
                "api start (serve)",
                "trickle beside the 5",
                str(x["n"]),
                f"{x['median'] * 1000:,.0f} ms",
                f"{x['p95'] * 1000:,.0f} ms",
                f"{x['max'] * 1000:,.0f} ms",
                "—",
                str(x["busy"] + x["other_errors"]),
                "",
            ]
        )
    print(
        f"\n{seconds:g} s per phase, think time 0–{2 * args.think:g} s, API start every "
        f"{args.api_interval:g} s"
    )
    table(
        rows,
        ["operation", "who", "n", "p50", "p95", "max", "StoreBusy", "other errors", "p95 / alone"],
    )
    examples = {op: d["error_examples"] for op, d in {**s, **api_s}.items() if d["error_examples"]}
    if examples:
        print(f"error examples: {examples}")
    print(f"load: {load.note()}")
    write_json(
        args.json,
        {
            "bench": "store_sharing",
            "machine": m,
            **load.note(),
            "seconds": seconds,
            "workers": args.workers,
            "think": args.think,
            "api_interval": args.api_interval,
            "alone": a,
            "shared": s,
            "api": api_s,
        },
    )


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
