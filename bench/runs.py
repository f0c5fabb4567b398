"""Benchmarks of runs: W1 overhead, one-step latency, history analytics.

W1: an input of N user emails; for each, ``users.get``, an if-else on
``employee_type``, then ``users.suspend`` (contractors) or ``notify.email``.
The baseline does the same directory operations as plain Python calls, in the
same process, on an identical copy of the demo store, with no engine and no
history. Each write commits on its own in both (the engine commits a change
together with its step record).

    .venv/bin/python bench/runs.py [--quick]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from wfbench.directory import Directory
from wfbench.workbench import Workbench

W1 = {
    "format": "wfbench/v1",
    "name": "W1",
    "run_as": "help_desk",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["emails"],
            "properties": {"emails": {"type": "array", "items": {"type": "string"}}},
        }
    },
    "steps": [
        {
            "id": "each",
            "kind": "loop",
            "items": "{{ input.emails }}",
            "as": "email",
            "max_iterations": 10_000,
            "steps": [
                {
                    "id": "user",
                    "kind": "action",
                    "action": "users.get",
                    "with": {"email": "{{ email }}"},
                },
                {
                    "id": "kind",
                    "kind": "if_else",
                    "condition": "{{ steps.user.output.employee_type == 'contractor' }}",
                    "then": [
                        {
                            "id": "suspend",
                            "kind": "action",
                            "action": "users.suspend",
                            "with": {"user_id": "{{ steps.user.output.id }}"},
                        }
                    ],
                    "else": [
                        {
                            "id": "mail",
                            "kind": "action",
                            "action": "notify.email",
                            "with": {
                                "to": "{{ steps.user.output.email }}",
                                "subject": "Hello",
                                "body": "Hi {{ steps.user.output.first_name }}",
                            },
                        }
                    ],
                },
            ],
        }
    ],
}
PING = {
    "format": "wfbench/v1",
    "name": "Ping",
    "run_as": "read_only",
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "ping"}}],
}


def baseline(path: Path, emails: list[str]) -> float:
    con = duckdb.connect(str(path))
    directory = Directory(con)
    start = time.perf_counter()
    for email in emails:
        user = directory.get_user(email=email)
        if user.employee_type == "contractor":
            directory.suspend_user(user.id)
        else:
            directory.send_email(user.email, "Hello", f"Hi {user.first_name}")
    took = time.perf_counter() - start
    con.close()
    return took


def engine(path: Path, emails: list[str]) -> tuple[float, int]:
    wb = Workbench(path)
    with wb.hold():
        start = time.perf_counter()
        run = wb.run("W1", {"emails": emails})
        took = time.perf_counter() - start
    assert run.status == "succeeded", run.error
    return took, len(run.steps)


def one_step_latency(path: Path, n: int) -> tuple[float, float]:
    wb = Workbench(path)
    held = []
    with wb.hold():
        for _ in range(n):
            start = time.perf_counter()
            wb.run("Ping")
            held.append(time.perf_counter() - start)
    cold = []
    for _ in range(max(5, n // 10)):
        start = time.perf_counter()
        wb.run("Ping")  # opens and closes the store file around the run
        cold.append(time.perf_counter() - start)
    return statistics.median(held) * 1000, statistics.median(cold) * 1000


def analytics(path: Path, runs: int, steps_per_run: int) -> tuple[float, float]:
    """Synthetic history, then "success rate and p95 duration per workflow per day"."""
    wb = Workbench(path)
    with wb.hold() as con:
        con.execute(f"""
            INSERT INTO runs (run_id, workflow_id, workflow, version, status, input, run_as,
                              started_by, dry_run, started_at, ended_at, duration_ms)
            SELECT 'r' || i, 'wf_' || (i % 20), 'workflow ' || (i % 20), 1,
                   CASE WHEN i % 17 = 0 THEN 'failed' WHEN i % 53 = 0 THEN 'rejected'
                        ELSE 'succeeded' END,
                   '{{}}', 'manager', 'bench', false,
                   TIMESTAMPTZ '2026-01-01' + to_seconds(i * 2.6),
                   TIMESTAMPTZ '2026-01-01' + to_seconds(i * 2.6 + 1),
                   (hash(i) % 5000) / 10.0
            FROM range({runs}) t(i)""")
        con.execute(f"""
            INSERT INTO steps (run_id, seq, node, path, kind, action, status, attempts,
                               started_at, ended_at, duration_ms)
            SELECT 'r' || (i // {steps_per_run}), i % {steps_per_run} + 1,
                   'n' || (i % {steps_per_run}), 'n' || (i % {steps_per_run}), 'action',
                   'users.get', CASE WHEN i % 97 = 0 THEN 'failed' ELSE 'succeeded' END, 1,
                   TIMESTAMPTZ '2026-01-01' + to_seconds((i // {steps_per_run}) * 2.6),
                   TIMESTAMPTZ '2026-01-01' + to_seconds((i // {steps_per_run}) * 2.6),
                   (hash(i) % 500) / 10.0
            FROM range({runs * steps_per_run}) t(i)""")
        query_runs = """
            SELECT workflow, date_trunc('day', started_at) AS day,
                   avg(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS success_rate,
                   quantile_cont(duration_ms, 0.95) AS p95_ms, count(*) AS runs
            FROM runs GROUP BY ALL ORDER BY workflow, day"""
        query_steps = """
            SELECT r.workflow, date_trunc('day', s.started_at) AS day,
                   avg(CASE WHEN s.status = 'succeeded' THEN 1 ELSE 0 END) AS success_rate,
                   quantile_cont(s.duration_ms, 0.95) AS p95_ms
            FROM steps s JOIN runs r USING (run_id) GROUP BY ALL"""
        timings = []
        for query in (query_runs, query_steps):
            wb.sql(query)  # warm
            start = time.perf_counter()
            frame = wb.sql(query)
            timings.append(time.perf_counter() - start)
            assert len(frame) > 0
    return timings[0] * 1000, timings[1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    sizes = (10, 100) if args.quick else (10, 100, 1000)
    work = Path(tempfile.mkdtemp(prefix="wfbench-bench-"))
    try:
        seed = work / "seed.duckdb"
        wb = Workbench(seed)
        wb.init(demo=True)
        wb.save(W1)
        wb.save(PING)
        everyone = wb.sql("select email from users where status = 'active' order by id")
        emails_all: list[str] = everyone["email"].tolist()
        print(
            f"machine: {platform.machine()}, {platform.python_implementation()} "
            f"{platform.python_version()}, duckdb {duckdb.__version__}"
        )
        print(
            f"{'N':>6} {'baseline ms':>12} {'engine ms':>10} {'ratio':>6} "
            f"{'steps':>6} {'overhead us/step':>17}"
        )
        for n in sizes:
            emails = [emails_all[i % len(emails_all)] for i in range(n)]
            base_copy, eng_copy = work / f"b{n}.duckdb", work / f"e{n}.duckdb"
            shutil.copy(seed, base_copy)
            shutil.copy(seed, eng_copy)
            base = baseline(base_copy, emails)
            took, steps = engine(eng_copy, emails)
            overhead = (took - base) / steps * 1e6
            print(
                f"{n:>6} {base * 1000:>12.1f} {took * 1000:>10.1f} {took / base:>6.2f} "
                f"{steps:>6} {overhead:>17.1f}"
            )
        held, cold = one_step_latency(seed, 50 if args.quick else 200)
        print(
            f"one-step run, run() to committed history: median {held:.2f} ms with the store "
            f"held (wb.hold()), {cold:.1f} ms opening the file for the run"
        )
        runs, per = (100_000, 10) if args.quick else (1_000_000, 10)
        from_runs, from_steps = analytics(work / "history.duckdb", runs, per)
        print(
            f"success rate and p95 per workflow per day over {runs:,} runs: "
            f"{from_runs:.0f} ms; from {runs * per:,} steps: {from_steps:.0f} ms"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
