"""A class of learners for a minute: five processes checking exercises against a real
``wfbench serve --class`` on loopback (each check sends a definition; the board runs the
hidden cases and records the result); prints checks sent, recorded, and refusals.

    .venv/bin/python bench/classroom.py [--learners 5] [--seconds 60]

The harness is tests/training/classroom.py (the test runs it for a few seconds).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "training"))

from classroom import run_class


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        seen = run_class(Path(folder), learners=args.learners, seconds=args.seconds)
    posted = sum(len(a) for a in seen["posted"].values())
    recorded = seen["results"]
    once = max(Counter(r["attempt"] for r in recorded).values(), default=1) == 1
    in_order = all(
        [r["attempt"] for r in recorded if r["learner"] == name] == [a["attempt"] for a in tries]
        for name, tries in seen["posted"].items()
    )
    print(
        f"{args.learners} learners, {args.seconds:.0f} s: {posted} checks sent, "
        f"{len(recorded)} judged and recorded ({posted / args.seconds:.1f}/s)"
    )
    print(
        f"every result once: {once}; in order: {in_order}; "
        f"learner key refused elsewhere: {sorted(set(seen['refused'].values()))}"
    )


if __name__ == "__main__":
    main()
