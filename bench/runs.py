"""W1 at N = 1,000 and 10,000: the engine with its history against the same directory work
done in plain SQL, under each commit policy, with the cost per item.

**W1**: an input of N user emails (the demo directory's active users, cycled); for each,
``users.get``, an if-else on ``employee_type``, then ``users.suspend`` (contractors) or
``notify.email``. Product: ``wb.run("W1", …)`` inside ``wb.hold()``, full history recorded.

**Floors**, in the same process, each on its own fresh copy of the same store, interleaved
with the engine (floor variants, engine, floor variants, engine, …): the same directory
statements on a raw ``duckdb`` connection, no engine and no history: per user the user row
by email and their memberships (two point queries, as the directory reads a user); for a
contractor not yet suspended an ``UPDATE``; otherwise an outbox ``INSERT`` with an id from a
counter. Three commit policies, side by side:

- ``autocommit``: each write its own transaction (a script's default);
- ``group 0.25 s``: one transaction per 0.25 s, the engine's own policy (the fair floor);
- ``one transaction``: everything in one.

And the **directory layer alone**: the same work through ``wfbench.directory.Directory``
(what the actions call: its statements, ids from sequences, its records), in a plain loop
under the engine's commit policy, with no engine and no history. Issue 12's W1 target
(≤ 1.15 s at N = 1,000) is below it.

    .venv/bin/python bench/runs.py [--quick] [--sizes 1000,10000] [--rounds R] [--json PATH]
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from _common import Load, header, parser, table, write_json

from wfbench import Workbench
from wfbench.directory import Directory

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


#: The CPU seconds (this process's, DuckDB's threads included) of the last timed region:
#: on a machine other people load, CPU time is the steadier figure beside wall time.
LAST_CPU = [0.0]


def floor(path: Path, emails: list[str], policy: str) -> float:
    """The directory work of W1 in plain SQL; ``policy``: autocommit, group or single."""
    con = duckdb.connect(str(path))
    next_id = int(
        con.execute(
            "SELECT coalesce(max(TRY_CAST(substr(id, 5) AS BIGINT)), 0) FROM outbox"
        ).fetchone()[0]
    )
    start = time.perf_counter()
    cpu0 = time.process_time()
    last_commit = start
    if policy != "autocommit":
        con.execute("BEGIN")
    for email in emails:
        row = con.execute(
            "SELECT id, email, first_name, employee_type, status FROM users WHERE email = ?",
            [email],
        ).fetchone()
        assert row is not None, email
        con.execute("SELECT group_id FROM memberships WHERE user_id = ?", [row[0]]).fetchall()
        if row[3] == "contractor":
            if row[4] != "suspended":
                con.execute("UPDATE users SET status = 'suspended' WHERE id = ?", [row[0]])
        else:
            next_id += 1
            con.execute(
                "INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?)",
                [f"msg_{next_id:06d}", row[1], "Hello", f"Hi {row[2]}", "bench", datetime.now()],
            )
        if policy == "group" and time.perf_counter() - last_commit >= 0.25:
            con.execute("COMMIT")
            con.execute("BEGIN")
            last_commit = time.perf_counter()
    if policy != "autocommit":
        con.execute("COMMIT")
    took = time.perf_counter() - start
    LAST_CPU[0] = time.process_time() - cpu0
    con.close()
    return took


def directory_alone(path: Path, emails: list[str]) -> float:
    """W1's directory work through ``wfbench.directory.Directory`` (the layer the actions
    call: its SQL and its records) in a plain loop: no engine, no history; one transaction
    per 0.25 s like the engine."""
    con = duckdb.connect(str(path))
    directory = Directory(con, run_id="bench")
    start = last = time.perf_counter()
    cpu0 = time.process_time()
    con.execute("BEGIN")
    for email in emails:
        user = directory.get_user(email=email)
        if user.employee_type == "contractor":
            directory.suspend_user(user.id)
        else:
            directory.send_email(user.email, "Hello", f"Hi {user.first_name}")
        if time.perf_counter() - last >= 0.25:
            con.execute("COMMIT")
            con.execute("BEGIN")
            last = time.perf_counter()
    con.execute("COMMIT")
    took = time.perf_counter() - start
    LAST_CPU[0] = time.process_time() - cpu0
    con.close()
    return took


class _Recording:
    """A connection that notes each statement and its parameters (the rest passes through)."""

    def __init__(self, con: Any, log: list[tuple[str, list[Any]]]) -> None:
        self._wrapped, self._log = con, log

    def execute(self, sql: str, params: Any = None) -> Any:
        self._log.append((sql, list(params or ())))
        return self._wrapped.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


def record_statements(path: Path, emails: list[str]) -> list[tuple[str, list[Any]]]:
    """The directory statements W1's run sends, in order (an untimed run on its own copy)."""
    from wfbench.directory import base

    log: list[tuple[str, list[Any]]] = []
    original = base.DirectoryBase.__init__

    def init(self: Any, con: Any, *args: Any, **kwargs: Any) -> None:
        original(self, _Recording(con, log), *args, **kwargs)

    base.DirectoryBase.__init__ = init  # type: ignore[method-assign]
    try:
        engine(path, emails)
    finally:
        base.DirectoryBase.__init__ = original  # type: ignore[method-assign]
    return log


def replay(path: Path, statements: list[tuple[str, list[Any]]]) -> float:
    """W1's own SQL replay: the statements the product's directory sent, each executed and
    fetched on a raw connection, one transaction per 0.25 s like the engine; no engine, no
    history."""
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    start = last = time.perf_counter()
    cpu0 = time.process_time()
    con.execute("BEGIN")
    for sql, params in statements:
        con.execute(sql, params).fetchall()
        if time.perf_counter() - last >= 0.25:
            con.execute("COMMIT")
            con.execute("BEGIN")
            last = time.perf_counter()
    con.execute("COMMIT")
    took = time.perf_counter() - start
    LAST_CPU[0] = time.process_time() - cpu0
    con.close()
    return took


def engine(path: Path, emails: list[str]) -> tuple[float, int]:
    wb = Workbench(path)
    with wb.hold():
        start = time.perf_counter()
        cpu0 = time.process_time()
        run = wb.run("W1", {"emails": emails})
        took = time.perf_counter() - start
        LAST_CPU[0] = time.process_time() - cpu0
    assert run.status == "succeeded", run.error
    # the run record keeps its first 10,000 step records; the history has every one
    counted = wb.sql(f"SELECT count(*) AS n FROM steps WHERE run_id = '{run.run_id}'")
    return took, int(counted["n"][0])


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--sizes", help="N values (default 1000,10000; quick 100,1000)")
    p.add_argument("--rounds", help="interleaved rounds per size (default 3,1; quick 2,1)")
    args = p.parse_args()
    sizes = [
        int(x) for x in (args.sizes or ("100,1000" if args.quick else "1000,10000")).split(",")
    ]
    rounds = [int(x) for x in (args.rounds or ("2,1" if args.quick else "3,1")).split(",")]
    rounds += [rounds[-1]] * (len(sizes) - len(rounds))
    load = Load()
    m = header("W1: engine + history against the same directory work in plain SQL")
    work = Path(tempfile.mkdtemp(prefix="wfbench-runs-"))
    figures: dict[str, Any] = {}
    try:
        seed = work / "seed.duckdb"
        wb = Workbench(seed)
        wb.init(demo=True)
        wb.save(W1)
        everyone = wb.sql("select email from users where status = 'active' order by id")
        del wb
        emails_all: list[str] = everyone["email"].tolist()
        variants: dict[str, Callable[[Path, list[str]], float]] = {
            "floor: autocommit": lambda p_, e: floor(p_, e, "autocommit"),
            "floor: group 0.25 s (engine's policy)": lambda p_, e: floor(p_, e, "group"),
            "floor: one transaction": lambda p_, e: floor(p_, e, "single"),
            "directory layer alone, group 0.25 s": directory_alone,
        }
        rows = []
        for n, r in zip(sizes, rounds, strict=True):
            emails = [emails_all[i % len(emails_all)] for i in range(n)]
            copy = work / f"{n}-record.duckdb"
            shutil.copy(seed, copy)
            statements = record_statements(copy, emails)
            copy.unlink()
            figures[f"statements @ {n}"] = len(statements)
            variants["W1's own SQL replay (its directory statements)"] = (
                lambda p_, e, st=statements: replay(p_, st)
            )
            times: dict[str, list[float]] = {k: [] for k in [*variants, "engine + history"]}
            cpu: dict[str, list[float]] = {k: [] for k in times}
            steps = 0
            for k in range(r):
                for name, fn in variants.items():
                    copy = work / f"{n}-{k}-{len(times[name])}-{name[7:12]}.duckdb"
                    shutil.copy(seed, copy)
                    times[name].append(fn(copy, emails))
                    cpu[name].append(LAST_CPU[0])
                    copy.unlink()
                copy = work / f"{n}-{k}-engine.duckdb"
                shutil.copy(seed, copy)
                took, steps = engine(copy, emails)
                times["engine + history"].append(took)
                cpu["engine + history"].append(LAST_CPU[0])
                copy.unlink()
            med = {k: statistics.median(v) for k, v in times.items()}
            med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
            fair = med["floor: group 0.25 s (engine's policy)"]
            for name, t in med.items():
                figures[f"{name} @ {n}"] = {
                    "n": n,
                    "s": t,
                    "runs": times[name],
                    "cpu_s": med_cpu[name],
                    "cpu_runs": cpu[name],
                    "per_item_ms": t / n * 1000,
                    "engine_over_this": med["engine + history"] / t,
                    "engine_over_this_cpu": med_cpu["engine + history"] / med_cpu[name],
                }
                rows.append(
                    [
                        f"{n:,}",
                        name,
                        f"{t * 1000:,.0f} ms (CPU {med_cpu[name] * 1000:,.0f} ms)",
                        f"{t / n * 1e6:,.0f} µs",
                        f"{med['engine + history'] / t:.2f}× "
                        f"(CPU {med_cpu['engine + history'] / med_cpu[name]:.2f}×)",
                    ]
                )
            figures[f"steps @ {n}"] = steps
            figures[f"engine overhead per step @ {n} (µs)"] = (
                (med["engine + history"] - fair) / steps * 1e6
            )
        print(f"\nmedian of {rounds} interleaved round(s) per size (each on a fresh store copy)")
        table(rows, ["N", "what", "median", "per item", "engine / this"])
        if len(sizes) > 1:
            a, b = sizes[0], sizes[-1]
            e_a = figures[f"engine + history @ {a}"]["per_item_ms"]
            e_b = figures[f"engine + history @ {b}"]["per_item_ms"]
            print(
                f"engine per item: {e_a * 1000:,.0f} µs at N = {a:,}, {e_b * 1000:,.0f} µs at "
                f"N = {b:,} ({e_b / e_a:.2f}×; target: flat)"
            )
            figures["per_item_growth"] = e_b / e_a
        for n in sizes:
            print(
                f"N = {n:,}: {figures[f'steps @ {n}']:,} steps; engine overhead over the same "
                f"commit policy {figures[f'engine overhead per step @ {n} (µs)']:,.0f} µs per step"
            )
            replayed = figures[f"W1's own SQL replay (its directory statements) @ {n}"]
            print(
                f"N = {n:,}: the directory sent {figures[f'statements @ {n}']:,} statements; "
                f"W1 / its own SQL replay: {replayed['engine_over_this']:.2f}× "
                f"(CPU {replayed['engine_over_this_cpu']:.2f}×; target ≤ 1.2×)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load: {load.note()}")
    write_json(
        args.json,
        {"bench": "runs", "machine": m, **load.note(), "sizes": sizes, "rounds": rounds, **figures},
    )


if __name__ == "__main__":
    main()
