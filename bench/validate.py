"""Benchmark: validating a generated 1,000-step workflow (nested loops and if-else).

Prints the median time of :func:`wfbench.validate` and its ratio to a plain
pydantic parse (``Workflow.model_validate``) of the same document, both run in
this process. Target: well under 100 ms.

    .venv/bin/python bench/validate.py [--steps 1000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

from wfbench.model import Workflow, iter_nodes
from wfbench.validation import validate


def generate(n_steps: int) -> dict[str, Any]:
    """A valid workflow of about ``n_steps`` nodes: blocks of action, if-else and loop."""
    counter = 0

    def new_id(prefix: str) -> str:
        nonlocal counter
        counter += 1
        return f"{prefix}{counter}"

    steps: list[dict[str, Any]] = []
    while counter < n_steps:
        user = new_id("user")
        mail = new_id("mail")
        suspend = new_id("suspend")
        leave = new_id("leave")
        steps.append(
            {
                "id": user,
                "kind": "action",
                "action": "users.get",
                "with": {"email": "{{ input.email }}"},
            }
        )
        steps.append(
            {
                "id": new_id("branch"),
                "kind": "if_else",
                "condition": f"{{{{ steps.{user}.output.employee_type == 'contractor' }}}}",
                "then": [
                    {
                        "id": suspend,
                        "kind": "action",
                        "action": "users.suspend",
                        "with": {"user_id": f"{{{{ steps.{user}.output.id }}}}"},
                    },
                    {
                        "id": new_id("groups"),
                        "kind": "loop",
                        "items": f"{{{{ steps.{user}.output.groups }}}}",
                        "as": "group",
                        "max_iterations": 100,
                        "steps": [
                            {
                                "id": leave,
                                "kind": "action",
                                "action": "groups.remove_user",
                                "with": {
                                    "group_id": "{{ group.id }}",
                                    "user_id": f"{{{{ steps.{user}.output.id }}}}",
                                },
                            },
                            {
                                "id": new_id("check"),
                                "kind": "if_else",
                                "condition": "{{ loop.index > 3 and group.name != 'all' }}",
                                "then": [
                                    {
                                        "id": new_id("log"),
                                        "kind": "action",
                                        "action": "core.log",
                                        "with": {
                                            "message": f"left {{{{ group.name }}}} "
                                            f"({{{{ steps.{leave}.output.changed }}}})"
                                        },
                                    }
                                ],
                                "else": [],
                            },
                        ],
                    },
                ],
                "else": [
                    {
                        "id": mail,
                        "kind": "action",
                        "action": "notify.email",
                        "with": {
                            "to": f"{{{{ default(steps.{user}.output.manager_email, 'it@x') }}}}",
                            "subject": "Hello {{ input.email }}",
                            "body": f"{{{{ upper(steps.{user}.output.first_name) }}}}",
                        },
                    },
                ],
            }
        )
    return {
        "format": "wfbench/v1",
        "name": "generated",
        "run_as": "manager",
        "trigger": {
            "input_schema": {
                "type": "object",
                "required": ["email"],
                "properties": {"email": {"type": "string"}},
                "additionalProperties": False,
            },
            "sample_input": {"email": "a@example.com"},
        },
        "steps": steps,
    }


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches (parsed expressions, type adapters) as a long-lived kernel would
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    doc = generate(args.steps)
    start = time.perf_counter()
    report = validate(doc)  # cold: no expression parsed yet in this process
    cold = (time.perf_counter() - start) * 1000
    assert report.valid, [i.describe() for i in report.errors[:5]]
    nodes = sum(1 for _ in iter_nodes(Workflow.model_validate(doc).steps))
    base = median_ms(lambda: Workflow.model_validate(doc), args.repeat)
    full = median_ms(lambda: validate(doc), args.repeat)
    print(
        f"machine: {platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}"
    )
    print(f"workflow: {nodes} nodes")
    print(f"pydantic parse (baseline): {base:8.2f} ms")
    print(f"wfbench validate, cold:    {cold:8.2f} ms  (first call: every expression parsed)")
    print(f"wfbench validate, warm:    {full:8.2f} ms")
    print(f"ratio validate / parse:    {full / base:8.2f}x")


if __name__ == "__main__":
    main()
