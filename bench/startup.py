"""Start-up: what a terminal command costs, in fresh processes, against a bare-DuckDB floor.

Each command runs in a fresh process, interleaved with its floor (floor, --help, list, run,
floor, ...), and the figure is the median wall time and the median of each process's own
peak RSS (``os.wait4``):

- floor: ``python -c`` that imports duckdb, opens a store-sized file, inserts a row and
  commits (what any command touching the store must at least do);
- ``wfbench --help``, ``wfbench list``, ``wfbench run Ping`` (a one-step ``core.log``);
- ``python -c "import duckdb"`` and ``python -c "import wfbench.workbench"``.

Then ``python -X importtime -c "import wfbench.workbench"``: the modules that cost most,
cumulative, as Python reports them (median over a few runs).

    .venv/bin/python bench/startup.py [--quick] [--repeats N] [--json PATH]
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from _common import PING, WFBENCH, Load, header, parser, stats, table, timed_child, write_json

FLOOR = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
    "con.execute('BEGIN'); con.execute('INSERT INTO t VALUES (1, 2)'); con.execute('COMMIT'); "
    "con.close()"
)


def workbench_module() -> str:
    """``wfbench.workbench`` (the module the issue times), or ``wfbench`` if it has moved."""
    probe = timed_child([sys.executable, "-c", "import wfbench.workbench"])
    return "wfbench.workbench" if probe["rc"] == 0 else "wfbench"


WORKBENCH = "wfbench.workbench"


def importtime(module: str, repeats: int) -> dict[str, list[dict[str, Any]]]:
    """``-X importtime`` of ``module``, median of ``repeats`` fresh runs: the modules that
    cost most by their own (self) time, and by cumulative time (what they pull in)."""
    cumulative: dict[str, list[int]] = defaultdict(list)
    self_us: dict[str, list[int]] = defaultdict(list)
    pattern = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| *(\S+)")
    for _ in range(repeats):
        out = timed_child([sys.executable, "-X", "importtime", "-c", f"import {module}"])
        seen_c: dict[str, int] = {}
        seen_s: dict[str, int] = {}
        for line in out["stderr"].splitlines():
            m = pattern.match(line)
            if m:
                name = m.group(3)
                seen_s[name] = max(seen_s.get(name, 0), int(m.group(1)))
                seen_c[name] = max(seen_c.get(name, 0), int(m.group(2)))
        for name, v in seen_c.items():
            cumulative[name].append(v)
            self_us[name].append(seen_s[name])
    rows = [
        {
            "module": name,
            "cumulative_ms": statistics.median(v) / 1000,
            "self_ms": statistics.median(self_us[name]) / 1000,
        }
        for name, v in cumulative.items()
    ]
    return {
        "by_self": sorted(rows, key=lambda r: -r["self_ms"]),
        "by_cumulative": sorted(rows, key=lambda r: -r["cumulative_ms"]),
    }


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--repeats", type=int, help="rounds of the interleaved commands")
    args = p.parse_args()
    repeats = args.repeats or (3 if args.quick else 11)
    global WORKBENCH
    WORKBENCH = workbench_module()
    load = Load()
    m = header("start-up of a wfbench command (fresh processes)")

    work = Path(tempfile.mkdtemp(prefix="wfbench-startup-"))
    try:
        store = work / "store.duckdb"
        floor_db = work / "floor.duckdb"
        setup = (
            "import sys, duckdb\n"
            "from wfbench import Workbench\n"
            f"PING = {PING!r}\n"
            "wb = Workbench(sys.argv[1]); wb.init(demo=True); wb.save(PING)\n"
            "con = duckdb.connect(sys.argv[2]); con.execute('CREATE TABLE t (a INT, b INT)')\n"
            "con.close()\n"
        )
        made = timed_child([sys.executable, "-c", setup, str(store), str(floor_db)])
        if made["rc"] != 0:
            raise SystemExit(f"could not create the stores: {made['stderr'][-2000:]}")

        py = sys.executable
        commands: dict[str, list[str]] = {
            "floor: python + duckdb open, insert, commit": [py, "-c", FLOOR, str(floor_db)],
            "wfbench --help": [WFBENCH, "--help"],
            "wfbench list": [WFBENCH, "--db", str(store), "list"],
            "wfbench run Ping": [WFBENCH, "--db", str(store), "run", "Ping", "--input", "{}"],
            "wfbench run Ping, no bytecode cache": [
                WFBENCH,
                "--db",
                str(store),
                "run",
                "Ping",
                "--input",
                "{}",
            ],
            'python -c "import duckdb"': [py, "-c", "import duckdb"],
            f'python -c "import {WORKBENCH}"': [py, "-c", f"import {WORKBENCH}"],
            'python -c "pass"': [py, "-c", "pass"],
        }
        # wfbench's own modules compiled from source at each start (an editable install
        # that no compileall went over, under PYTHONDONTWRITEBYTECODE): a copy of the
        # package without __pycache__ first on the path; everything else keeps its bytecode.
        spec = importlib.util.find_spec("wfbench")
        assert spec is not None and spec.submodule_search_locations
        source = work / "source"
        shutil.copytree(
            spec.submodule_search_locations[0],
            source / "wfbench",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        bare = {**os.environ, "PYTHONPATH": str(source), "PYTHONDONTWRITEBYTECODE": "1"}
        envs = {"wfbench run Ping, no bytecode cache": bare}
        results: dict[str, list[dict[str, Any]]] = {k: [] for k in commands}
        for name, cmd in commands.items():  # warm the page cache once
            out = timed_child(cmd, timeout=120, env=envs.get(name))
            if out["rc"] != 0:
                raise SystemExit(f"{name} failed ({out['rc']}): {out['stderr'][-2000:]}")
        for _ in range(repeats):
            for name, cmd in commands.items():
                results[name].append(timed_child(cmd, timeout=120, env=envs.get(name)))

        floor_name = next(iter(commands))
        floor_wall = statistics.median(r["wall"] for r in results[floor_name])
        floor_rss = statistics.median(r["rss_mib"] for r in results[floor_name])
        floor_cpu = statistics.median(r["cpu"] for r in results[floor_name])
        figures: dict[str, Any] = {}
        rows = []
        for name, rs in results.items():
            wall = stats([r["wall"] for r in rs])
            rss = statistics.median(r["rss_mib"] for r in rs)
            cpu = statistics.median(r["cpu"] for r in rs)
            figures[name] = {
                "wall_s": wall,
                "rss_mib": rss,
                "ratio": wall["median"] / floor_wall,
                "cpu_s": cpu,
                "cpu_ratio": cpu / floor_cpu,
            }
            rows.append(
                [
                    name,
                    f"{wall['median'] * 1000:.0f} ms",
                    f"{wall['min'] * 1000:.0f}–{wall['max'] * 1000:.0f} ms",
                    f"{rss:.0f} MiB",
                    f"{wall['median'] / floor_wall:.2f}×",
                    f"{cpu * 1000:.0f} ms",
                    f"{cpu / floor_cpu:.2f}×",
                    f"{rss / floor_rss:.2f}×",
                ]
            )
        print(f"\nmedian of {repeats} interleaved rounds, each command a fresh process")
        print("(CPU time is the child's own and moves less with machine load than wall time)")
        table(
            rows,
            [
                "command",
                "median wall",
                "range",
                "peak RSS",
                "wall / floor",
                "CPU (user + sys)",
                "CPU / floor",
                "RSS / floor",
            ],
        )

        imports = importtime(WORKBENCH, 3 if args.quick else 5)
        cum = {r["module"]: r["cumulative_ms"] for r in imports["by_cumulative"]}
        print(
            f"\n`python -X importtime -c 'import {WORKBENCH}'` (median of fresh runs): "
            f"{cum.get(WORKBENCH, cum.get('wfbench', float('nan'))):.0f} ms "
            f"cumulative for wfbench; floor: duckdb {cum.get('duckdb', float('nan')):.0f} ms"
        )
        print("modules with the most self time (the code that runs at import):")
        table(
            [
                [r["module"], f"{r['self_ms']:.1f} ms", f"{r['cumulative_ms']:.0f} ms"]
                for r in imports["by_self"][:12]
            ],
            ["module", "self", "cumulative"],
        )
        heavy = [
            "jsonschema",
            "rfc3987_syntax",
            "lark",
            "pandas",
            "numpy",
            "pyarrow",
            "duckdb",
            "fastapi",
            "starlette",
            "uvicorn",
            "ipywidgets",
            "ipycytoscape",
            "pydantic",
            "httpx",
            "wfbench.validation",
            "wfbench.model",
            "wfbench.actions",
            "wfbench.engine",
            "wfbench.store",
            "wfbench.directory",
        ]
        found = {k: cum[k] for k in heavy if k in cum}
        print(
            "cumulative, where first imported: "
            + ", ".join(f"{k} {v:.0f} ms" for k, v in sorted(found.items(), key=lambda kv: -kv[1]))
        )
        write_json(
            args.json,
            {
                "bench": "startup",
                "machine": m,
                **load.note(),
                "repeats": repeats,
                "floor": floor_name,
                "commands": figures,
                "importtime_by_self": imports["by_self"][:30],
                "importtime_by_cumulative": imports["by_cumulative"][:30],
                "heavy": found,
            },
        )
        print(f"load average during the run: {json.dumps(load.note())}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
