"""History reads: analytics and ``wb.runs()`` over 1 M runs and 10 M steps, against DuckDB.

A store is created with ``Workbench(path).init()``; its ``runs`` and ``steps`` tables
(columns and types read from the file, so the data follows the schema as it changes) are
filled directly with DuckDB SQL: 1 M runs of 20 workflows over about 30 days and 10 steps
per run (``--quick``: 100 k runs, 1 M steps), with small realistic JSON in ``input``,
``output`` and ``params``.

Then, interleaved rounds (each side opens the file, runs the query once to warm, times
it, lets the file go):

- "success rate and p95 duration per workflow per day" from ``runs``: ``wb.sql`` vs the
  same SQL on a raw ``duckdb`` connection to the same file vs a copy whose history times are
  ``TIMESTAMP`` (UTC wall time) instead of ``TIMESTAMPTZ``;
- the same from ``steps`` joined to ``runs``;
- ``wb.runs()`` of every run (a DataFrame) vs DuckDB ``SELECT * … ORDER BY started_at DESC``
  to Arrow and to pandas, each in a fresh process (wall time of the call and the
  process's peak RSS).

    .venv/bin/python bench/history.py [--quick] [--runs N] [--rounds R] [--json PATH]
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
from _common import HWM, Load, header, parser, stats, table, timed_child, write_json

from wfbench import Workbench

WORKFLOWS = 20
STEPS_PER_RUN = 10

# Column expressions by name; ``i`` is the row number. Columns not named here get a
# neutral value for their type (NULL where allowed).
RUN_EXPR = {
    "run_id": "'r' || lpad(i::VARCHAR, 8, '0')",
    "workflow_id": f"'wf_' || (i % {WORKFLOWS})",
    "workflow": f"'workflow ' || (i % {WORKFLOWS})",
    "version": "1 + (i % 3)",
    "status": (
        "CASE WHEN i % 17 = 0 THEN 'failed' WHEN i % 53 = 0 THEN 'rejected' ELSE 'succeeded' END"
    ),
    "input": "'{\"email\": \"user' || (i % 5000) || '@example.com\"}'",
    "output": "'{\"user_id\": \"u' || lpad((i % 5000)::VARCHAR, 5, '0') || '\", \"ok\": true}'",
    "error": "CASE WHEN i % 17 = 0 THEN 'no user with email ''x@example.com''' END",
    "reasons": "NULL",
    "run_as": "'help_desk'",
    "started_by": "'bench'",
    "dry_run": "false",
    "started_at": "TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_microseconds((i * 2600000)::BIGINT)",
    "ended_at": (
        "TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_microseconds((i * 2600000)::BIGINT)"
        " + to_microseconds((abs(hash(i)) % 500000)::BIGINT)"
    ),
    "duration_ms": "(abs(hash(i)) % 500000) / 1000.0",
}
STEP_EXPR = {
    "run_id": f"'r' || lpad((i // {STEPS_PER_RUN})::VARCHAR, 8, '0')",
    "seq": f"i % {STEPS_PER_RUN} + 1",
    "node": f"'n' || (i % {STEPS_PER_RUN})",
    "path": f"'each/n' || (i % {STEPS_PER_RUN})",
    "kind": "'action'",
    "action": "CASE WHEN i % 2 = 0 THEN 'users.get' ELSE 'notify.email' END",
    "iteration": "NULL",
    "status": "CASE WHEN i % 97 = 0 THEN 'failed' ELSE 'succeeded' END",
    "attempts": "1",
    "params": "'{\"email\": \"user' || (i % 5000) || '@example.com\"}'",
    "output": (
        '\'{"id": "u\' || lpad((i % 5000)::VARCHAR, 5, \'0\') || \'", "email": "user\' '
        '|| (i % 5000) || \'@example.com", "employee_type": "employee"}\''
    ),
    "error": "NULL",
    "change": "NULL",
    "started_at": (
        f"TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_microseconds(((i // {STEPS_PER_RUN}) * "
        f"2600000 + (i % {STEPS_PER_RUN}) * 1000)::BIGINT)"
    ),
    "ended_at": (
        f"TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_microseconds(((i // {STEPS_PER_RUN}) * "
        f"2600000 + (i % {STEPS_PER_RUN}) * 1000 + 900)::BIGINT)"
    ),
    "duration_ms": "(abs(hash(i)) % 50000) / 1000.0",
}
NEUTRAL = {
    "BOOLEAN": "false",
    "INTEGER": "0",
    "BIGINT": "0",
    "DOUBLE": "0",
    "VARCHAR": "''",
    "JSON": "'{}'",
}

Q_RUNS = """
    SELECT workflow, date_trunc('day', started_at) AS day,
           avg(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS success_rate,
           quantile_cont(duration_ms, 0.95) AS p95_ms, count(*) AS runs
    FROM runs GROUP BY ALL ORDER BY workflow, day"""
Q_STEPS = """
    SELECT r.workflow, date_trunc('day', s.started_at) AS day,
           avg(CASE WHEN s.status = 'succeeded' THEN 1 ELSE 0 END) AS success_rate,
           quantile_cont(s.duration_ms, 0.95) AS p95_ms, count(*) AS steps
    FROM steps s JOIN runs r USING (run_id) GROUP BY ALL ORDER BY 1, 2"""


def fill(con: duckdb.DuckDBPyConnection, table_name: str, exprs: dict[str, str], n: int) -> None:
    cols = con.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position",
        [table_name],
    ).fetchall()
    select = []
    for name, dtype, nullable in cols:
        if name in exprs:
            expr = exprs[name]
        elif nullable == "YES":
            expr = "NULL"
        else:
            expr = NEUTRAL.get(dtype, "NULL")
        select.append(f"CAST({expr} AS {dtype})")
    names = ", ".join(f'"{c[0]}"' for c in cols)
    unknown = sorted(set(exprs) - {c[0] for c in cols})
    if unknown:
        print(f"  (schema has no {table_name} column {', '.join(unknown)}: skipped)")
    chunk = 2_000_000
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        con.execute(
            f"INSERT INTO {table_name} ({names}) SELECT {', '.join(select)} "
            f"FROM range({lo}, {hi}) t(i)"
        )


def generate(path: Path, runs: int) -> dict[str, float]:
    wb = Workbench(path)
    wb.init()
    del wb
    con = duckdb.connect(str(path), config={"memory_limit": "4GB", "threads": 2})
    con.execute("SET TimeZone = 'UTC'")
    t0 = time.perf_counter()
    fill(con, "runs", RUN_EXPR, runs)
    t1 = time.perf_counter()
    fill(con, "steps", STEP_EXPR, runs * STEPS_PER_RUN)
    t2 = time.perf_counter()
    con.execute("CHECKPOINT")
    con.close()
    return {"runs_s": t1 - t0, "steps_s": t2 - t1}


def timestamp_copy(src: Path, dst: Path) -> None:
    con = duckdb.connect(str(dst), config={"memory_limit": "4GB", "threads": 2})
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"ATTACH '{src}' AS src (READ_ONLY)")
    for t in ("runs", "steps"):
        con.execute(
            f"CREATE TABLE {t} AS SELECT * REPLACE (started_at::TIMESTAMP AS started_at, "
            f"ended_at::TIMESTAMP AS ended_at) FROM src.{t}"
        )
    con.execute("DETACH src")
    con.execute("CHECKPOINT")
    con.close()


def raw_query(path: Path, query: str) -> float:
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")  # as the store's connections do
    con.execute(query).df()  # warm
    start = time.perf_counter()
    frame = con.execute(query).df()
    took = time.perf_counter() - start
    assert len(frame) > 0
    con.close()
    return took


def wb_query(path: Path, query: str) -> float:
    wb = Workbench(path)
    with wb.hold():
        wb.sql(query)  # warm
        start = time.perf_counter()
        frame = wb.sql(query)
        took = time.perf_counter() - start
    assert len(frame) > 0
    return took


CHILD_WB = (
    HWM
    + """
import sys, time
import pandas  # noqa: F401  loaded before the clock, as a notebook has it (and as
# `import wfbench` did before issue 12; wfbench now imports it on first use)
from wfbench import Workbench
wb = Workbench(sys.argv[1])
with wb.hold():
    start, cpu = time.perf_counter(), time.process_time()
    frame = wb.runs()
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
print(took, len(frame), _hwm(), cpu)
"""
)
# The floor is the very query wb.runs() sends (its columns, its order with the rowid tie
# break), to Arrow through the relation API (``con.execute(…).to_arrow_table()`` makes an
# extra copy of the rows, DuckDB warns): what is left over is the DataFrame wfbench makes.
CHILD_ARROW = (
    HWM
    + """
import sys, time, duckdb
from wfbench.runs import RUN_FIELDS
con = duckdb.connect(sys.argv[1])
con.execute("SET TimeZone = 'UTC'")
con.execute("SET enable_progress_bar = false")
query = f"SELECT {', '.join(RUN_FIELDS)} FROM runs ORDER BY started_at DESC, rowid DESC"
start, cpu = time.perf_counter(), time.process_time()
table = con.sql(query).{fetch}
took, cpu = time.perf_counter() - start, time.process_time() - cpu
print(took, len(table), _hwm(), cpu)
"""
)


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--runs", type=int, help="runs to generate (default 1,000,000; quick 100,000)")
    p.add_argument("--rounds", type=int, help="interleaved rounds (default 5; quick 3)")
    args = p.parse_args()
    runs = args.runs or (100_000 if args.quick else 1_000_000)
    rounds = args.rounds or (3 if args.quick else 5)
    load = Load()
    m = header(f"history reads over {runs:,} runs and {runs * STEPS_PER_RUN:,} steps")
    work = Path(tempfile.mkdtemp(prefix="wfbench-history-"))
    try:
        store, ts = work / "store.duckdb", work / "timestamp.duckdb"
        gen = generate(store, runs)
        timestamp_copy(store, ts)
        print(
            f"generated in {gen['runs_s']:.1f} s (runs) + {gen['steps_s']:.1f} s (steps); "
            f"file {store.stat().st_size / 2**20:,.0f} MiB"
        )

        results: dict[str, list[float]] = {}
        variants = {
            "runs: wb.sql": lambda: wb_query(store, Q_RUNS),
            "runs: floor, raw duckdb, same file": lambda: raw_query(store, Q_RUNS),
            "runs: raw duckdb, TIMESTAMP copy": lambda: raw_query(ts, Q_RUNS),
            "steps: wb.sql": lambda: wb_query(store, Q_STEPS),
            "steps: floor, raw duckdb, same file": lambda: raw_query(store, Q_STEPS),
            "steps: raw duckdb, TIMESTAMP copy": lambda: raw_query(ts, Q_STEPS),
        }
        for _ in range(rounds):
            for name, fn in variants.items():
                results.setdefault(name, []).append(fn())

        children = {
            "wb.runs() (all rows)": CHILD_WB,
            "floor: duckdb, the same query → Arrow": CHILD_ARROW.replace(
                "{fetch}", "to_arrow_table()"
            ),
            "duckdb, the same query → pandas (.df())": CHILD_ARROW.replace("{fetch}", "df()"),
        }
        child_res: dict[str, list[dict[str, Any]]] = {k: [] for k in children}
        for _ in range(rounds):
            for name, code in children.items():
                out = timed_child([sys.executable, "-c", code, str(store)], timeout=600)
                if out["rc"] != 0:
                    raise SystemExit(f"{name} failed: {out['stderr'][-2000:]}")
                took, rows, hwm, cpu = out["stdout"].strip().splitlines()[-1].split()
                child_res[name].append(
                    {"s": float(took), "rows": int(rows), "rss_mib": float(hwm), "cpu": float(cpu)}
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    figures: dict[str, Any] = {"generate": gen}
    rows_out = []
    for kind in ("runs", "steps"):
        floor = statistics.median(results[f"{kind}: floor, raw duckdb, same file"])
        for name in [k for k in results if k.startswith(kind)]:
            st = stats(results[name])
            figures[name] = {**st, "ratio": st["median"] / floor}
            rows_out.append(
                [
                    name,
                    f"{st['median'] * 1000:,.0f} ms",
                    f"{st['min'] * 1000:,.0f}–{st['max'] * 1000:,.0f} ms",
                    f"{st['median'] / floor:.2f}×",
                ]
            )
    print(f"\n'success rate and p95 duration per workflow per day', {rounds} interleaved rounds")
    table(rows_out, ["query", "median", "range", "/ floor"])

    floor_name = next(k for k in child_res if k.startswith("floor"))
    floor = statistics.median(r["s"] for r in child_res[floor_name])
    floor_cpu = statistics.median(r["cpu"] for r in child_res[floor_name])
    floor_rss = statistics.median(r["rss_mib"] for r in child_res[floor_name])
    rows_out = []
    for name, rs in child_res.items():
        s = statistics.median(r["s"] for r in rs)
        cpu = statistics.median(r["cpu"] for r in rs)
        rss = statistics.median(r["rss_mib"] for r in rs)
        low, high = min(r["s"] for r in rs), max(r["s"] for r in rs)
        figures[name] = {
            "s": s,
            "cpu_s": cpu,
            "rss_mib": rss,
            "rows": rs[0]["rows"],
            "ratio": s / floor,
            "cpu_ratio": cpu / floor_cpu,
            "rss_ratio": rss / floor_rss,
            "range_s": [low, high],
            "all": rs,
        }
        rows_out.append(
            [
                name,
                f"{rs[0]['rows']:,}",
                f"{s * 1000:,.0f} ms ({low * 1000:,.0f}–{high * 1000:,.0f})",
                f"{cpu * 1000:,.0f} ms",
                f"{rss:,.0f} MiB",
                f"{s / floor:.2f}× / {cpu / floor_cpu:.2f}× / {rss / floor_rss:.2f}×",
            ]
        )
    print(f"\nall runs as a table, each in a fresh process ({len(child_res[floor_name])} rounds)")
    table(
        rows_out,
        ["read", "rows", "median (range)", "CPU", "process peak RSS", "/ floor: time, CPU, RSS"],
    )
    print(f"load: {load.note()}")
    write_json(
        args.json,
        {
            "bench": "history",
            "machine": m,
            **load.note(),
            "runs": runs,
            "steps": runs * STEPS_PER_RUN,
            "rounds": rounds,
            "figures": figures,
        },
    )


if __name__ == "__main__":
    main()
