"""Commit: a one-step run in a kernel (``Workbench`` held) against a held-connection floor.

Product: ``wb.run("Ping")`` inside ``with wb.hold():`` (a one-step ``core.log`` workflow,
from the call to the committed history row), as a notebook session does.

Floor, in the same process, interleaved call by call: on a held ``duckdb`` connection to
an identical copy of the store, ``BEGIN``, an ``INSERT`` of a run row and one of a step row
(the rows a real Ping run wrote, with a fresh run id: same schema, same indexes, same
sizes) and ``COMMIT``.

Also reported: the same run when the store is not held (the file opened for each run).

    .venv/bin/python bench/commit.py [--quick] [--n N] [--json PATH]
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from pathlib import Path

import duckdb
from _common import PING, Load, header, parser, stats, table, write_json

from wfbench import Workbench
from wfbench.runs import Hooks


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--n", type=int, help="interleaved calls of each (default 400; quick 60)")
    args = p.parse_args()
    n = args.n or (60 if args.quick else 400)
    load = Load()
    m = header("one-step run committed, store held, against BEGIN + 2 INSERTs + COMMIT")
    work = Path(tempfile.mkdtemp(prefix="wfbench-commit-"))
    try:
        path, copy = work / "store.duckdb", work / "floor.duckdb"
        wb = Workbench(path)
        wb.init()
        wb.save(PING)
        first = wb.run("Ping")
        assert first.status == "succeeded", first
        run_id = first.run_id
        shutil.copy(path, copy)
        con = duckdb.connect(str(copy))
        con.execute("SET TimeZone = 'UTC'")
        run_row = list(con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).fetchone())
        step_row = list(con.execute("SELECT * FROM steps WHERE run_id = ?", [run_id]).fetchone())
        ins_run = f"INSERT INTO runs VALUES ({', '.join('?' * len(run_row))})"
        ins_step = f"INSERT INTO steps VALUES ({', '.join('?' * len(step_row))})"

        def floor() -> None:
            rid = uuid.uuid4().hex
            run_row[0] = rid
            step_row[0] = rid
            con.execute("BEGIN")
            con.execute(ins_run, run_row)
            con.execute(ins_step, step_row)
            con.execute("COMMIT")

        def product() -> None:
            wb.run("Ping")

        def watched() -> None:  # a listener: the run's row commits when it starts
            wb.run("Ping", hooks=[Hooks()])

        floor_t: list[float] = []
        prod_t: list[float] = []
        watched_t: list[float] = []
        with wb.hold():
            for _ in range(10):  # warm both
                floor()
                product()
                watched()
            for _ in range(n):
                t0 = time.perf_counter()
                floor()
                t1 = time.perf_counter()
                product()
                t2 = time.perf_counter()
                watched()
                t3 = time.perf_counter()
                floor_t.append(t1 - t0)
                prod_t.append(t2 - t1)
                watched_t.append(t3 - t2)
        cold_t = []
        for _ in range(max(10, n // 10)):
            t0 = time.perf_counter()
            wb.run("Ping")
            cold_t.append(time.perf_counter() - t0)
        con.close()

        f, pr, cold, seen = stats(floor_t), stats(prod_t), stats(cold_t), stats(watched_t)
        ratio = pr["median"] / f["median"]
        print(f"\n{n} interleaved calls of each")
        table(
            [
                [
                    "floor: BEGIN + INSERT run + INSERT step + COMMIT, held duckdb connection",
                    f"{f['median'] * 1000:.2f} ms",
                    f"{f['p95'] * 1000:.2f} ms",
                    "1.00×",
                ],
                [
                    "`wb.run('Ping')` inside `wb.hold()`",
                    f"{pr['median'] * 1000:.2f} ms",
                    f"{pr['p95'] * 1000:.2f} ms",
                    f"{ratio:.2f}×",
                ],
                [
                    "`wb.run('Ping', hooks=[…])`, held (watched: its row durable at start)",
                    f"{seen['median'] * 1000:.2f} ms",
                    f"{seen['p95'] * 1000:.2f} ms",
                    f"{seen['median'] / f['median']:.2f}×",
                ],
                [
                    "`wb.run('Ping')`, store not held (file opened per run)",
                    f"{cold['median'] * 1000:.2f} ms",
                    f"{cold['p95'] * 1000:.2f} ms",
                    f"{cold['median'] / f['median']:.2f}×",
                ],
            ],
            ["measure", "median", "p95", "/ floor"],
        )
        print(f"target (issue 12, item 3): held run within 1.5× of the floor; now {ratio:.2f}×")
        print(f"load: {load.note()}")
        write_json(
            args.json,
            {
                "bench": "commit",
                "machine": m,
                **load.note(),
                "n": n,
                "floor_s": f,
                "held_s": pr,
                "not_held_s": cold,
                "watched_s": seen,
                "ratio": ratio,
            },
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
