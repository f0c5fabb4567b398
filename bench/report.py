"""The issue-12 table for bench/README.md, from the JSON the benchmarks wrote.

    .venv/bin/python bench/startup.py --json bench/results/startup.json   # and the others
    .venv/bin/python bench/report.py bench/results

Prints one Markdown row per line of issue 12's table (and issue 10's store sharing): the
measured figure, its floor from the same run and the ratio. A missing file leaves its rows
out. Nothing here measures anything.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def load(folder: Path, name: str) -> dict[str, Any] | None:
    path = folder / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def rows(folder: Path) -> list[list[str]]:
    out: list[list[str]] = []
    s = load(folder, "startup")
    if s:
        c = s["commands"]
        floor = c[s["floor"]]
        fl = (
            f"{floor['wall_s']['median'] * 1000:.0f} ms, {floor['rss_mib']:.0f} MiB "
            "(fresh python + duckdb)"
        )
        for name in (
            "wfbench run Ping",
            "wfbench run Ping, no bytecode cache",
            "wfbench --help",
            "wfbench list",
        ):
            if name not in c:  # a folder from before the script measured it
                continue
            x = c[name]
            out.append(
                [
                    f"`{name}`",
                    f"{x['wall_s']['median'] * 1000:,.0f} ms, {x['rss_mib']:.0f} MiB",
                    fl,
                    f"{x['ratio']:.1f}×"
                    + (f" (CPU {x['cpu_ratio']:.1f}×)" if "cpu_ratio" in x else ""),
                    "startup.py",
                ]
            )
        imp = next(v for k, v in c.items() if k.startswith('python -c "import wfbench'))
        duck = c['python -c "import duckdb"']
        out.append(
            [
                "`import wfbench.workbench` (fresh process)",
                f"{imp['wall_s']['median'] * 1000:,.0f} ms",
                f"{duck['wall_s']['median'] * 1000:,.0f} ms (`import duckdb`)",
                f"{imp['wall_s']['median'] / duck['wall_s']['median']:.1f}×",
                "startup.py",
            ]
        )
    a = load(folder, "api")
    if a:
        lv = a["levels"]
        for n in (1, 8, 32):
            key = f"wfbench serve @ {n}"
            if key not in lv:
                continue
            x, f = lv[key], lv[f"floor: bare uvicorn + held DuckDB @ {n}"]
            g = lv[f"floor: fastapi uvicorn + held DuckDB @ {n}"]
            out.append(
                [
                    f"API start, {n} client{'s' if n > 1 else ''}",
                    f"{x['per_s']:.0f}/s, median {x['median_ms']:.1f} ms",
                    f"{f['per_s']:.0f}/s bare ASGI, {g['per_s']:.0f}/s FastAPI (held DuckDB)",
                    f"{x['bare_floor_over_this']:.1f}× / "
                    f"{x['fastapi_floor_over_this']:.1f}× slower",
                    "api.py",
                ]
            )
    c = load(folder, "commit")
    if c:
        out.append(
            [
                "one-step run in a kernel (`wb.hold()`)",
                f"{c['held_s']['median'] * 1000:.2f} ms",
                f"{c['floor_s']['median'] * 1000:.2f} ms (BEGIN + 2 INSERTs + COMMIT, held)",
                f"{c['ratio']:.2f}×",
                "commit.py",
            ]
        )
    h = load(folder, "history")
    if h:
        f = h["figures"]
        for kind, label in (("runs", f"{h['runs']:,} runs"), ("steps", f"{h['steps']:,} steps")):
            x, fl, ts = (
                f[f"{kind}: wb.sql"],
                f[f"{kind}: floor, raw duckdb, same file"],
                f[f"{kind}: raw duckdb, TIMESTAMP copy"],
            )
            out.append(
                [
                    f"success rate and p95 per workflow per day, {label} (`wb.sql`)",
                    f"{x['median'] * 1000:,.0f} ms",
                    f"{fl['median'] * 1000:,.0f} ms raw DuckDB; {ts['median'] * 1000:,.0f} ms "
                    "with TIMESTAMP columns",
                    f"{x['ratio']:.2f}× same file; "
                    f"{x['median'] / ts['median']:.2f}× TIMESTAMP copy",
                    "history.py",
                ]
            )
        x = f["wb.runs() (all rows)"]
        fl = next(v for k, v in f.items() if k.startswith("floor: duckdb"))
        out.append(
            [
                f"`wb.runs()` of {x['rows']:,} rows",
                f"{x['s'] * 1000:,.0f} ms, {x['rss_mib']:,.0f} MiB peak",
                f"{fl['s'] * 1000:,.0f} ms, {fl['rss_mib']:,.0f} MiB (DuckDB → Arrow)",
                f"{x['ratio']:.1f}×",
                "history.py",
            ]
        )
    r = load(folder, "runs")
    if r:
        for n in r["sizes"]:
            x = r[f"engine + history @ {n}"]
            f = r[f"floor: group 0.25 s (engine's policy) @ {n}"]
            auto = r[f"floor: autocommit @ {n}"]
            out.append(
                [
                    f"W1 at N = {n:,}",
                    f"{x['s'] * 1000:,.0f} ms ({x['per_item_ms'] * 1000:,.0f} µs per item)",
                    f"{f['s'] * 1000:,.0f} ms same SQL, same commit policy "
                    f"({auto['s'] * 1000:,.0f} ms autocommit)",
                    f"{x['s'] / f['s']:.2f}×",
                    "runs.py",
                ]
            )
    lr = load(folder, "long_run")
    if lr:
        sizes = sorted(int(k) for k in lr if k.isdigit())
        small, big = str(sizes[0]), str(sizes[-1])
        out.append(
            [
                f"RSS at the end of a {int(big):,}-step run",
                f"{lr[big]['rss_after_mib']:,.0f} MiB; per step {lr[big]['gap_ms_first']:.2f} → "
                f"{lr[big]['gap_ms_last']:.2f} ms",
                f"{lr[small]['rss_after_mib']:,.0f} MiB at {int(small):,} steps",
                f"{lr[big]['rss_ratio_to_floor']:.2f}×",
                "long_run.py",
            ]
        )
    ss = load(folder, "store_sharing")
    if ss:
        worst = max(ss["shared"].values(), key=lambda d: d["p95"], default=None)
        alone = max(ss["alone"].values(), key=lambda d: d["p95"], default=None)
        busy = sum(d["busy"] for d in ss["shared"].values())
        if worst and alone:
            out.append(
                [
                    f"{ss['workers']} processes + serve on one store (worst op p95)",
                    f"{worst['p95'] * 1000:,.0f} ms, {busy} StoreBusy",
                    f"{alone['p95'] * 1000:,.0f} ms alone",
                    f"{worst['p95'] / alone['p95']:.1f}×",
                    "store_sharing.py",
                ]
            )
    return out


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results")
    table = rows(folder)
    print("| what a person waits for | measured | floor, same run | ratio | script |")
    print("|---|---|---|---|---|")
    for row in table:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
