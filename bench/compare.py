"""Issue 22's four ratios, before and after, from one run: each script is run on the code at
``--before`` (another checkout, through ``PYTHONPATH``) and on this one, one after the
other, script by script, so both see the same machine and load.

- test case / real run of the same 4-step workflow (``cases.py``; target ≤ 1.3×);
- ``wb.runs()`` of 1 M rows / the same query to Arrow, time and peak RSS (``history.py``;
  target ≤ 1.3× both);
- W1 / its own SQL replay (``runs.py``; target ≤ 1.2×);
- a batch of 50 ms HTTP calls at concurrency 32, share of the ideal (``batch_http.py``;
  target ≥ 60%).

    .venv/bin/python bench/compare.py --before /work/main [--quick] [--out DIR]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from _common import Load, header, parser, table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

SCRIPTS: dict[str, list[str]] = {
    "cases": ["--n", "100", "--rounds", "3"],
    "batch_http": ["--rows", "500", "--rounds", "3", "--concurrency", "8,32"],
    "runs": ["--sizes", "1000", "--rounds", "2"],
    "history": ["--rounds", "3"],
}
QUICK: dict[str, list[str]] = {
    "cases": ["--n", "30", "--rounds", "1"],
    "batch_http": ["--quick"],
    "runs": ["--sizes", "300", "--rounds", "1"],
    "history": ["--quick"],
}


def run(script: str, args: list[str], code: Path, out: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(code))
    cmd = [sys.executable, str(HERE / f"{script}.py"), *args, "--json", str(out)]
    # from a neutral folder: the script's folder is bench/, the package comes from PYTHONPATH
    done = subprocess.run(cmd, env=env, cwd="/", capture_output=True, text=True, check=False)
    out.with_suffix(".txt").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"{script} on {code} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(out.read_text()))


def ratios(figures: dict[str, dict[str, Any]]) -> dict[str, float]:
    c, b, r, h = (figures[k] for k in ("cases", "batch_http", "runs", "history"))
    wb_runs = h["figures"]["wb.runs() (all rows)"]
    replay = next(v for k, v in r.items() if k.startswith("W1's own SQL replay"))
    top = max((k for k in b if k.startswith("concurrency ")), key=lambda k: int(k.split()[1]))
    return {
        "test case / real run (≤ 1.3×)": c["case_over_run"],
        "wb.runs() time / Arrow (≤ 1.3×)": wb_runs["ratio"],
        "wb.runs() CPU / Arrow": wb_runs["cpu_ratio"],
        "wb.runs() peak RSS / Arrow (≤ 1.3×)": wb_runs["rss_ratio"],
        "W1 / its own SQL replay (≤ 1.2×)": replay["engine_over_this"],
        "W1 / its own SQL replay, CPU": replay.get("engine_over_this_cpu", float("nan")),
        f"batch at {top}: share of the ideal (≥ 60%)": b[top]["of_ideal"],
        f"batch at {top}: share of bare threads": b[top]["of_bare_threads"],
    }


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--before", required=True, help="a checkout of the code before (e.g. main)")
    p.add_argument("--out", default=str(ROOT / "bench" / "results" / "issue22"))
    p.add_argument(
        "--only",
        help="run these scripts again (comma-separated); the others' figures are read from "
        "--out, where an earlier run left them",
    )
    args = p.parse_args()
    out = Path(args.out).resolve()  # the scripts run from / (see run)
    out.mkdir(parents=True, exist_ok=True)
    load = Load()
    m = header("issue 22: the four ratios, before and after, from one run")
    figures: dict[str, dict[str, dict[str, Any]]] = {"before": {}, "after": {}}
    only = set(args.only.split(",")) if args.only else None
    for script, script_args in (QUICK if args.quick else SCRIPTS).items():
        for side, code in (("before", Path(args.before)), ("after", ROOT)):
            path = out / f"{script}-{side}.json"
            if only is not None and script not in only:
                figures[side][script] = json.loads(path.read_text())
                continue
            print(f"{script} ({side}) …", flush=True)
            figures[side][script] = run(script, script_args, code, path)
    before, after = ratios(figures["before"]), ratios(figures["after"])
    table(
        [[k, f"{before[k]:.2f}", f"{after[k]:.2f}"] for k in after],
        ["ratio (target)", "before", "after"],
    )
    note = load.note()
    print(f"load: {note}")
    (out / "compare.json").write_text(
        json.dumps({"machine": m, **note, "before": before, "after": after}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
