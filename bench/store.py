"""What the store's operations cost on this machine: ``python bench/store.py [RUNS]``.

Prints medians. RUNS (default 100 000) is the size of the history used for the
"large store" figures, written directly as Arrow batches with 10 steps per run.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from wfbench.model import Workflow
from wfbench.store import STEP_FIELDS, Store

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def median_ms(fn: Callable[[], Any], n: int = 30) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def step(run_id: str, seq: int) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "seq": seq,
        "node": "n",
        "path": f"loop[{seq}].n",
        "kind": "action",
        "action": "users.get",
        "iteration": seq,
        "status": "succeeded",
        "attempts": 1,
        "params": {"email": "ada@example.com"},
        "output": {"id": "u1", "groups": ["a", "b"]},
        "started_at": T0,
        "ended_at": T0,
        "duration_ms": 1.0,
    }


def fill(store: Store, runs: int) -> None:
    """A history of ``runs`` runs over 20 workflows and 90 days, 10 steps each."""
    statuses = ["succeeded"] * 8 + ["failed", "cancelled"]
    run_ids = [f"run_{i:08d}" for i in range(runs)]
    _runs_batch = pa.table(
        {
            "run_id": run_ids,
            "workflow_id": [f"wf_{i % 20:02d}" for i in range(runs)],
            "workflow": [f"Workflow {i % 20}" for i in range(runs)],
            "version": [1] * runs,
            "status": [statuses[i % 10] for i in range(runs)],
            "input": ['{"email": "ada@example.com"}'] * runs,
            "started_at": pa.array(
                [T0 + timedelta(minutes=i * 90 * 24 * 60 // runs) for i in range(runs)],
                pa.timestamp("us", tz="UTC"),
            ),
            "duration_ms": [float(10 + i % 500) for i in range(runs)],
        }
    )
    steps: dict[str, list[Any]] = {name: [] for name in STEP_FIELDS}
    for run_id in run_ids:
        for seq in range(10):
            for name, value in step(run_id, seq).items():
                steps[name].append(value)
    for name in ("change", "error"):
        steps[name] = [None] * len(steps["run_id"])
    for name in ("params", "output"):
        steps[name] = [str(v).replace("'", '"') for v in steps[name]]
    _steps_batch = pa.table(steps)
    with store.session() as cur:
        cur.execute("INSERT INTO runs BY NAME SELECT * FROM _runs_batch")
        cur.execute("INSERT INTO steps BY NAME SELECT * FROM _steps_batch")


def show(label: str, ms: float) -> None:
    print(f"{label:<62} {ms:8.2f} ms")


def report(store: Store, workflow_id: str, label: str, sample_run: str | None) -> None:
    counter = iter(range(10**9))
    finish_ids = iter(range(10**9))
    one = [step("x", 0)]
    thirty = [step("x", i) for i in range(30)]
    daily = """
        SELECT workflow_id, date_trunc('day', started_at) AS day, count(*) AS runs,
               avg((status = 'succeeded')::INT) AS success_rate,
               quantile_cont(duration_ms, 0.95) AS p95_ms
        FROM runs GROUP BY ALL"""

    def begin() -> None:
        store.begin_run({"run_id": f"{label}{next(counter)}", "workflow_id": workflow_id})

    def finish() -> None:
        store.finish_run(
            f"{label}{next(finish_ids)}",
            status="succeeded",
            output={"ok": True},
            error=None,
            ended_at=T0,
            duration_ms=1.0,
        )

    with store.session() as cur:

        def in_transaction() -> None:
            cur.begin()
            store.write_steps(one)
            cur.commit()

        show(f"[{label}] begin_run (session held)", median_ms(begin))
        show(f"[{label}] finish_run (session held)", median_ms(finish))
        show(
            f"[{label}] write_steps 1 row (session held)", median_ms(lambda: store.write_steps(one))
        )
        show(
            f"[{label}] write_steps 30 rows (session held)",
            median_ms(lambda: store.write_steps(thirty)),
        )
        show(
            f"[{label}] write_steps 1 row inside the caller's BEGIN/COMMIT",
            median_ms(in_transaction),
        )
        if sample_run is not None:
            show(f"[{label}] get_run (10 steps)", median_ms(lambda: store.get_run(sample_run)))
            show(f"[{label}] steps() frame (10 steps)", median_ms(lambda: store.steps(sample_run)))
        show(f"[{label}] runs(limit=50)", median_ms(lambda: store.runs(limit=50), 10))
        show(f"[{label}] list_workflows", median_ms(store.list_workflows, 10))
        show(
            f"[{label}] success rate + p95 per workflow per day",
            median_ms(lambda: store.sql(daily), 10),
        )
    show(f"[{label}] begin_run, one-off (opens and closes the file)", median_ms(begin, 10))


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    wf = Workflow.model_validate({"name": "Bench", "run_as": "read_only"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        store = Store(path)
        info = store.save_definition(wf)
        print(f"duckdb {duckdb.__version__}")
        show(
            "duckdb.connect + close (file with tables)",
            median_ms(lambda: duckdb.connect(str(path)).close()),
        )
        show(
            "one-off read, new Store (open, init, interrupted check)",
            median_ms(lambda: Store(path).find_workflow("Bench")),
        )
        show(
            "one-off read, same Store (open, query, close)",
            median_ms(lambda: store.find_workflow("Bench")),
        )
        with store.session():
            show("read inside a held session", median_ms(lambda: store.find_workflow("Bench")))
        report(store, info.id, "small", None)
        fill(store, runs)
        print(f"history: {runs} runs, {runs * 10} steps")
        report(store, info.id, "large", "run_00000050")
        store.close()


if __name__ == "__main__":
    main()
