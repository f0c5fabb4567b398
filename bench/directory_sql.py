"""The directory's statements in DuckDB: what one costs, and the issue's ways to need fewer.

Issue 12 asks for W1 at N = 1,000 in at most 1.15 s (2× faster than 2.3 s) and suggests
how: ids from a sequence, "a user and their memberships in one query", prepared
statements. This script measures each of those against what the directory does now, on a
held connection to a copy of the demo store, inside one open transaction (as a run's
steps are), interleaved statement by statement, median µs per statement:

- ``SELECT 1``: the cost of any statement that reads no table (parse, plan, run, fetch);
- the directory's two point queries for ``users.get`` (the user row by email, then their
  group ids), and three one-query forms of the same (a correlated ``list()`` subquery, a
  ``LEFT JOIN … GROUP BY``, a ``UNION ALL``);
- the user query as a prepared statement (``PREPARE`` once, ``EXECUTE`` per call: DuckDB's
  Python API cannot bind parameters to ``EXECUTE``, so the value is a quoted literal);
- the outbox ``INSERT`` with its id from the sequence (``RETURNING id``), and with an id
  counted in Python; the ``UPDATE`` of ``users.suspend``;
- the same with ``SET threads = 1`` (fewer worker wake-ups per statement; DuckDB's
  setting is per database, so the history's analytical reads would lose their threads).

Then each proposed form as a ratio to what the directory runs now. W1's own floor (the
same statements in plain SQL, no engine and no history) is ``runs.py``'s.

    .venv/bin/python bench/directory_sql.py [--quick] [--n N] [--json PATH]
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

COLS = (
    "u.id, u.email, u.first_name, u.last_name, u.department, u.employee_type, "
    "u.manager_email, u.status, u.mfa_enrolled, u.created_at"
)


def statements(
    con: duckdb.DuckDBPyConnection, emails: list[str], ids: dict[str, str]
) -> dict[str, Callable[[int], Any]]:
    """Each statement form, as a function of a call number (which user it looks at)."""
    counter = iter(range(10**9))

    def email(i: int) -> str:
        return emails[i % len(emails)]

    def uid(i: int) -> str:
        return ids[email(i)]

    def two_queries(i: int) -> Any:
        row = con.execute(f"SELECT {COLS} FROM users u WHERE u.email = ?", [email(i)]).fetchone()
        assert row is not None
        return con.execute(
            "SELECT group_id FROM memberships WHERE user_id = ?", [row[0]]
        ).fetchall()

    return {
        "SELECT 1": lambda i: con.execute("SELECT 1").fetchone(),
        "users.get now: user row by email": lambda i: con.execute(
            f"SELECT {COLS} FROM users u WHERE u.email = ?", [email(i)]
        ).fetchone(),
        "users.get now: their group ids": lambda i: con.execute(
            "SELECT group_id FROM memberships WHERE user_id = ?", [uid(i)]
        ).fetchall(),
        "users.get now: both (two statements)": two_queries,
        "one query: correlated list() subquery": lambda i: con.execute(
            f"SELECT {COLS}, (SELECT list(m.group_id) FROM memberships m "
            "WHERE m.user_id = u.id) FROM users u WHERE u.email = ?",
            [email(i)],
        ).fetchone(),
        "one query: LEFT JOIN ... GROUP BY": lambda i: con.execute(
            f"SELECT {COLS}, list(m.group_id) FROM users u LEFT JOIN memberships m "
            "ON m.user_id = u.id WHERE u.email = ? GROUP BY ALL",
            [email(i)],
        ).fetchone(),
        "one query: UNION ALL": lambda i: con.execute(
            f"SELECT {COLS}, NULL AS g FROM users u WHERE u.email = $1 UNION ALL "
            "SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, group_id "
            "FROM memberships WHERE user_id IN (SELECT id FROM users WHERE email = $1)",
            [email(i)],
        ).fetchall(),
        "prepared: EXECUTE of the user row": lambda i: con.execute(
            "EXECUTE user_by_email('{}')".format(email(i).replace("'", "''"))
        ).fetchone(),
        "outbox INSERT, id from the sequence, RETURNING": lambda i: con.execute(
            "INSERT INTO outbox VALUES (printf('msg_%06d', nextval('bench_seq')), "
            "?, ?, ?, ?, ?) RETURNING id",
            [email(i), "Hello", "Hi", "bench", datetime.now()],
        ).fetchone(),
        "outbox INSERT, id counted in Python": lambda i: con.execute(
            "INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?)",
            [f"bch_{next(counter):08d}", email(i), "Hello", "Hi", "bench", datetime.now()],
        ),
        "users.suspend: UPDATE": lambda i: con.execute(
            "UPDATE users SET status = ? WHERE id = ?", ["suspended", uid(i)]
        ),
    }


def measure(path: Path, n: int, threads: int | None) -> dict[str, float]:
    """Median µs per statement of each form, interleaved call by call, in one transaction."""
    con = duckdb.connect(str(path))
    if threads is not None:
        con.execute(f"SET threads = {threads}")
    con.execute("CREATE SEQUENCE IF NOT EXISTS bench_seq START 900000")
    con.execute(f"PREPARE user_by_email AS SELECT {COLS} FROM users u WHERE u.email = $1")
    rows = con.execute("SELECT email, id FROM users WHERE status = 'active' ORDER BY id")
    pairs = rows.fetchall()
    emails = [e for e, _ in pairs]
    ids = dict(pairs)
    forms = statements(con, emails, ids)
    times: dict[str, list[float]] = {name: [] for name in forms}
    con.execute("BEGIN")
    for i in range(20):  # warm up
        for fn in forms.values():
            fn(i)
    for i in range(n):
        for name, fn in forms.items():
            start = time.perf_counter()
            fn(i)
            times[name].append(time.perf_counter() - start)
    con.execute("ROLLBACK")
    con.close()
    return {name: statistics.median(v) * 1e6 for name, v in times.items()}


def verdict(us: dict[str, float]) -> dict[str, float]:
    """Each proposed form against what the directory does now (ratio; above 1 is slower)."""
    pair = us["users.get now: both (two statements)"]
    return {
        "one_query_correlated": us["one query: correlated list() subquery"] / pair,
        "one_query_join": us["one query: LEFT JOIN ... GROUP BY"] / pair,
        "one_query_union": us["one query: UNION ALL"] / pair,
        "prepared_execute": us["prepared: EXECUTE of the user row"]
        / us["users.get now: user row by email"],
        "sequence_returning": us["outbox INSERT, id from the sequence, RETURNING"]
        / us["outbox INSERT, id counted in Python"],
    }


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--n", type=int, help="calls of each statement form (default 1500; quick 200)")
    args = p.parse_args()
    n = args.n or (200 if args.quick else 1500)
    load = Load()
    m = header("the directory's statements in DuckDB, and the one-query / prepared forms")
    work = Path(tempfile.mkdtemp(prefix="wfbench-dirsql-"))
    try:
        seed = work / "seed.duckdb"
        wb = Workbench(seed)
        wb.init(demo=True)
        wb.close()
        results: dict[str, dict[str, float]] = {}
        for label, threads in (("default threads", None), ("SET threads = 1", 1)):
            copy = work / f"{threads}.duckdb"
            shutil.copy(seed, copy)
            results[label] = measure(copy, n, threads)
            copy.unlink()
        default, single = results["default threads"], results["SET threads = 1"]
        floor = default["SELECT 1"]
        rows = [
            [
                name,
                f"{us:,.0f} µs",
                f"{us / floor:.1f}×",
                f"{single[name]:,.0f} µs",
            ]
            for name, us in default.items()
        ]
        print(f"\nmedian µs per statement, {n:,} interleaved calls each, one open transaction")
        table(rows, ["statement", "median", "÷ SELECT 1", "with threads = 1"])
        verdicts = {label: verdict(us) for label, us in results.items()}
        v = verdicts["default threads"]
        print(
            f"\nagainst the two point queries users.get runs now, one query is "
            f"{v['one_query_union']:.2f}× (UNION ALL), {v['one_query_join']:.2f}× (JOIN) and "
            f"{v['one_query_correlated']:.2f}× (subquery); a prepared EXECUTE of the user row "
            f"is {v['prepared_execute']:.2f}× a plain execute; the sequence's id in the "
            f"INSERT costs {v['sequence_returning']:.2f}× an id counted in Python. With "
            "threads = 1 every statement is cheaper, but DuckDB's threads are per database: "
            "the history's analytical reads would run on one core."
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load: {load.note()}")
    write_json(
        args.json,
        {
            "bench": "directory_sql",
            "machine": m,
            **load.note(),
            "n": n,
            "statements_us": results,
            "against_now": verdicts,
        },
    )


if __name__ == "__main__":
    main()
