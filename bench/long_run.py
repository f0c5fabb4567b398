"""Long runs: memory at the end of a 1,000-step and a 100,000-step run, per-step time at the
start and the end of each.

The workflow: a loop over ``input.outer`` holding a loop over ``input.emails`` whose body is
``core.set`` (the email) and ``users.get`` (that user), on the demo directory, with full
history. Each size runs in a fresh process (``--child``), sizes interleaved over rounds;
the process reports its resident set before the run (imports done, store open), its peak
(``VmHWM``) and current RSS after, the run's step records kept in memory, the size of the
run's output JSON, and the per-step time (gaps between consecutive step starts, median)
over the first and the last 1,000 steps.

The floor is the 1,000-step run measured in the same script: a run's memory should not
grow with its length (issue 12, item 6: 100,000 steps within 1.5× of 1,000), nor its
per-step time.

    .venv/bin/python bench/long_run.py [--quick] [--sizes 1000,100000] [--rounds R] [--json P]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import HWM, Load, current_rss_mib, header, parser, table, write_json

LONG = {
    "format": "wfbench/v1",
    "name": "Long",
    "run_as": "read_only",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["outer", "emails"],
            "properties": {
                "outer": {"type": "array", "items": {"type": "integer"}},
                "emails": {"type": "array", "items": {"type": "string"}},
            },
        }
    },
    "steps": [
        {
            "id": "rounds",
            "kind": "loop",
            "items": "{{ input.outer }}",
            "as": "lap",
            "max_iterations": 10_000,
            "steps": [
                {
                    "id": "each",
                    "kind": "loop",
                    "items": "{{ input.emails }}",
                    "as": "email",
                    "max_iterations": 10_000,
                    "steps": [
                        {
                            "id": "note",
                            "kind": "action",
                            "action": "core.set",
                            "with": {"value": "{{ email }}"},
                        },
                        {
                            "id": "user",
                            "kind": "action",
                            "action": "users.get",
                            "with": {"email": "{{ email }}"},
                        },
                    ],
                }
            ],
        }
    ],
}


def shape(steps: int) -> tuple[int, int]:
    """(outer, inner) so that outer × inner × 2 action steps ≈ ``steps``."""
    inner = min(1000, max(1, steps // 2))
    return max(1, steps // (2 * inner)), inner


def child(db: str, steps: int) -> None:
    exec(HWM, globals())
    from wfbench import Workbench

    wb = Workbench(db)
    outer, inner = shape(steps)
    with wb.hold():
        everyone = wb.sql("select email from users where status = 'active' order by id")
        pool = everyone["email"].tolist()
        emails = [pool[i % len(pool)] for i in range(inner)]
        wb.run("Long", {"outer": [0], "emails": emails[:2]})  # warm: caches, first run
        before = current_rss_mib()
        start = time.perf_counter()
        run = wb.run("Long", {"outer": list(range(outer)), "emails": emails})
        took = time.perf_counter() - start
        peak = globals()["_hwm"]()
        after = current_rss_mib()
        assert run.status == "succeeded", run.error
        kept = len(run.steps)
        out_bytes = len(json.dumps(run.output, default=str)) if run.output is not None else 0
        frame = wb.sql(
            "select seq, action, started_at, duration_ms from steps where run_id = ? order by seq",
            [run.run_id],
        )
    starts = (frame["started_at"] - frame["started_at"].iloc[0]).dt.total_seconds() * 1000
    gaps = starts.diff().dropna().tolist()
    k = min(1000, max(1, len(gaps) // 10))
    gets = frame[frame["action"] == "users.get"]["duration_ms"].tolist()
    kg = min(500, max(1, len(gets) // 10))
    print(
        json.dumps(
            {
                "steps": steps,
                "outer": outer,
                "inner": inner,
                "recorded_steps": len(frame),
                "steps_in_run_record": kept,
                "seconds": took,
                "rss_before_mib": before,
                "rss_after_mib": after,
                "hwm_mib": peak,
                "output_json_bytes": out_bytes,
                "gap_ms_first": statistics.median(gaps[:k]),
                "gap_ms_last": statistics.median(gaps[-k:]),
                "users_get_ms_first": statistics.median(gets[:kg]),
                "users_get_ms_last": statistics.median(gets[-kg:]),
            }
        )
    )


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--sizes", help="step counts (default 1000,100000; quick 1000,10000)")
    p.add_argument("--rounds", type=int, help="interleaved rounds (default 1; quick 1)")
    p.add_argument("--child", type=int, help=argparse_hidden())
    p.add_argument("--db", help=argparse_hidden())
    args = p.parse_args()
    if args.child:
        child(args.db, args.child)
        return
    sizes = [
        int(x) for x in (args.sizes or ("1000,10000" if args.quick else "1000,100000")).split(",")
    ]
    rounds = args.rounds or 1
    load = Load()
    m = header("long runs: memory and per-step time, 1,000 against 100,000 steps")
    work = Path(tempfile.mkdtemp(prefix="wfbench-long-"))
    results: dict[int, list[dict[str, Any]]] = {n: [] for n in sizes}
    try:
        seed = work / "seed.duckdb"
        made = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, json; from wfbench import Workbench; wb = Workbench(sys.argv[1]); "
                "wb.init(demo=True); wb.save(json.loads(sys.argv[2]))",
                str(seed),
                json.dumps(LONG),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if made.returncode:
            raise SystemExit(made.stderr)
        for r in range(rounds):
            for n in sizes:
                db = work / f"{n}-{r}.duckdb"
                shutil.copy(seed, db)
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", str(n), "--db", str(db)],
                    capture_output=True,
                    text=True,
                    timeout=1800,
                    env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
                )
                if proc.returncode:
                    raise SystemExit(f"{n} steps failed: {proc.stderr[-3000:]}")
                results[n].append(json.loads(proc.stdout.strip().splitlines()[-1]))
                db.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def med(n: int, key: str) -> float:
        return statistics.median(r[key] for r in results[n])

    floor = sizes[0]
    rows = []
    figures: dict[str, Any] = {}
    for n in sizes:
        grow = med(n, "rss_after_mib") - med(n, "rss_before_mib")
        figures[str(n)] = {
            **{k: med(n, k) for k in results[n][0] if isinstance(results[n][0][k], int | float)},
            "rss_ratio_to_floor": med(n, "rss_after_mib") / med(floor, "rss_after_mib"),
            "hwm_ratio_to_floor": med(n, "hwm_mib") / med(floor, "hwm_mib"),
        }
        rows.append(
            [
                f"{med(n, 'recorded_steps'):,.0f}",
                f"{med(n, 'seconds'):,.1f} s",
                f"{med(n, 'rss_before_mib'):,.0f} MiB",
                f"{med(n, 'rss_after_mib'):,.0f} MiB ({grow / max(1, n) * 1024:,.2f} KiB/step)",
                f"{med(n, 'hwm_mib'):,.0f} MiB",
                f"{med(n, 'rss_after_mib') / med(floor, 'rss_after_mib'):.2f}×",
                f"{med(n, 'steps_in_run_record'):,.0f}",
                f"{med(n, 'output_json_bytes') / 2**20:,.2f} MiB",
                f"{med(n, 'gap_ms_first'):.2f} → {med(n, 'gap_ms_last'):.2f} ms",
                f"{med(n, 'users_get_ms_first'):.2f} → {med(n, 'users_get_ms_last'):.2f} ms",
            ]
        )
    print(f"\n{rounds} round(s), each size a fresh process; floor: the {floor:,}-step run")
    table(
        rows,
        [
            "steps",
            "run time",
            "RSS before",
            "RSS after",
            "peak RSS",
            "RSS after / floor",
            "steps kept in run record",
            "run output JSON",
            "per step, first → last",
            "users.get, first → last",
        ],
    )
    print(f"load: {load.note()}")
    write_json(
        args.json, {"bench": "long_run", "machine": m, **load.note(), "rounds": rounds, **figures}
    )


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
