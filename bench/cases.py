"""A test case against a real run of the same 4-step workflow (issue 22, item 2).

**Workflow** (``help_desk``): ``users.get`` by email → ``users.suspend`` →
``users.reset_mfa`` → ``notify.email``. **Product**: ``wb.check`` of N cases (each a
different user, every expectation set: statuses, output, the exact changes), per case.
**Floor**: N real runs of the same workflow on the same inputs (``wb.run`` inside
``wb.hold()``, history recorded), per run. Interleaved rounds, each side on its own fresh
copy of the same demo store; medians.

    .venv/bin/python bench/cases.py [--quick] [--n 100] [--rounds 5] [--json PATH]
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import Load, header, parser, table, write_json

from wfbench import Workbench

FOUR = {
    "format": "wfbench/v1",
    "name": "Four",
    "run_as": "help_desk",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["email"],
            "properties": {"email": {"type": "string"}},
        }
    },
    "steps": [
        {
            "id": "user",
            "kind": "action",
            "action": "users.get",
            "with": {"email": "{{ input.email }}"},
        },
        {
            "id": "suspend",
            "kind": "action",
            "action": "users.suspend",
            "with": {"user_id": "{{ steps.user.output.id }}"},
        },
        {
            "id": "mfa",
            "kind": "action",
            "action": "users.reset_mfa",
            "with": {"user_id": "{{ steps.user.output.id }}"},
        },
        {
            "id": "mail",
            "kind": "action",
            "action": "notify.email",
            "with": {
                "to": "{{ steps.user.output.email }}",
                "subject": "Suspended",
                "body": "{{ steps.user.output.first_name }}, your account is suspended.",
            },
        },
    ],
}


def cases_for(users: list[tuple[str, str, bool]]) -> list[dict[str, Any]]:
    out = []
    for uid, email, mfa in users:
        changes = [f"suspends {uid}"] + ([f"resets mfa of {uid}"] if mfa else [])
        out.append(
            {
                "name": f"suspend {uid}",
                "input": {"email": email},
                "expect": {
                    "status": "succeeded",
                    "steps": {"suspend": "succeeded", "mail": "succeeded"},
                    "output": {"user": {"id": uid}},
                    "changes": [*changes, f"emails {email}"],
                    "only_changes": True,
                },
            }
        )
    return out


def real_runs(path: Path, users: list[tuple[str, str, bool]]) -> float:
    wb = Workbench(path)
    with wb.hold():
        start = time.perf_counter()
        for _, email, _ in users:
            run = wb.run("Four", {"email": email})
            assert run.status == "succeeded", run.error
        took = time.perf_counter() - start
    wb.close()
    return took / len(users)


def test_cases(path: Path, users: list[tuple[str, str, bool]]) -> float:
    wb = Workbench(path)
    cases = cases_for(users)
    start = time.perf_counter()
    report = wb.check("Four", cases)
    took = time.perf_counter() - start
    wb.close()
    failed = [(r.case, r.failures) for r in report.results if not r.passed]
    assert not failed, failed[:3]
    return took / len(users)


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--n", type=int, help="cases (and runs) per round (default 100; quick 30)")
    p.add_argument("--rounds", type=int, help="interleaved rounds (default 5; quick 2)")
    args = p.parse_args()
    n = args.n or (30 if args.quick else 100)
    rounds = args.rounds or (2 if args.quick else 5)
    load = Load()
    m = header("A test case (wb.check) against a real run of the same 4-step workflow")
    work = Path(tempfile.mkdtemp(prefix="wfbench-cases-"))
    try:
        seed = work / "seed.duckdb"
        wb = Workbench(seed)
        wb.init(demo=True)
        wb.save(FOUR)
        found = wb.sql(
            "SELECT id, email, mfa_enrolled FROM users WHERE status = 'active' ORDER BY id"
        )
        wb.close()
        rows = list(found.itertuples(index=False, name=None))
        users = [(str(u), str(e), bool(f)) for u, e, f in rows][:n]
        assert len(users) == n, f"the demo store has {len(users)} active users, not {n}"
        times: dict[str, list[float]] = {"real run (floor)": [], "test case": []}
        for k in range(rounds + 1):  # round 0 warms up and is not counted
            for name, fn in (("real run (floor)", real_runs), ("test case", test_cases)):
                copy = work / f"{k}-{name[:4]}.duckdb"
                shutil.copy(seed, copy)
                took = fn(copy, users)
                copy.unlink()
                if k:
                    times[name].append(took)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["test case"] / med["real run (floor)"]
    print(f"\n{n} cases / runs per round, median of {rounds} interleaved rounds")
    table(
        [[k, f"{v * 1000:.2f} ms", f"{v / med['real run (floor)']:.2f}×"] for k, v in med.items()],
        ["what", "per case / run", "/ real run"],
    )
    print(f"test case / real run: {ratio:.2f}× (target ≤ 1.3×)")
    print(f"load: {load.note()}")
    write_json(
        args.json,
        {
            "bench": "cases",
            "machine": m,
            **load.note(),
            "n": n,
            "rounds": rounds,
            "runs": times,
            "per_run_s": med["real run (floor)"],
            "per_case_s": med["test case"],
            "case_over_run": ratio,
        },
    )


if __name__ == "__main__":
    main()
