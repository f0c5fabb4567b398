"""``make demo``: the main job, headless, on the embedded default store.

Seeds the demo organisation (once), imports the sample workflows, then runs
them as a person would: a dry run first, the real run, an input that is
refused, and prints the execution history. Safe to run again on the same store.
"""

from __future__ import annotations

import json
import sys
from importlib import resources

import pandas as pd

from wfbench.errors import RunRejected
from wfbench.workbench import Workbench


def _sample_input(name: str) -> dict[str, object]:
    text = (resources.files("wfbench") / "samples" / name).read_text(encoding="utf-8")
    value: dict[str, object] = json.loads(text)
    return value


def main() -> int:
    wb = Workbench(user="demo")
    seeded = wb.init(demo=True)
    print(f"store: {wb.path}" + (" (demo organisation seeded)" if seeded else ""))
    print(
        wb.workflows()[["name", "enabled", "run_as", "version", "run_count"]].to_string(index=False)
    )

    offboard = _sample_input("offboard_contractor.input.json")
    onboard = _sample_input("onboard_new_hire.input.json")
    print("\n1. Dry run of 'Offboard contractor': nothing changes, every change is listed")
    dry = wb.run("Offboard contractor", offboard, dry_run=True)
    for step in dry.steps:
        if step.change:
            print(f"   {step.status:9} {step.path}: {step.change}")

    print("\n2. The real run")
    real = wb.run("Offboard contractor", offboard)
    print(f"   {real.status}: {len(real.steps)} steps in {real.duration_ms:.0f} ms")
    user = wb.sql("select email, status from users where email = ?", [offboard["email"]])
    print(f"   directory now: {user.to_dict('records')[0]}")

    print("\n3. 'Onboard new hire' with a bad input is refused and kept in history")
    try:
        wb.run("Onboard new hire", {"first_name": "Ada", "email": "not-an-email"})
    except RunRejected as exc:
        for pointer, message in exc.problems:
            print(f"   {pointer or '/'}: {message}")

    print("\n4. A dry run of 'Onboard new hire' with its sample input")
    trial = wb.run("Onboard new hire", onboard, dry_run=True)
    print(f"   {trial.status}; would: " + "; ".join(s.change for s in trial.steps if s.change))

    print("\nExecution history (newest first):")
    history = wb.runs(limit=10)
    cols = ["workflow", "version", "status", "dry_run", "started_by", "started_at", "duration_ms"]
    with pd.option_context("display.width", 160):
        print(history[cols].to_string(index=False))
    print(
        f"\nThe data lives in {wb.path} (DuckDB). Look at it with:\n"
        f"  .venv/bin/wfbench --db {wb.path} runs\n"
        f"  .venv/bin/wfbench --db {wb.path} show {real.run_id}\n"
        f"  or in Python: Workbench({wb.path!r}).sql('select * from steps')"
    )
    return 0 if real.status == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
