"""Issue 10.10: input that cannot be stored is refused before the run starts.

The same refusal through the Python API (``Workbench.run``/``check_input``) as the CLI
and HTTP get, on a real store; nothing half-run is left, and history still reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wfbench.errors import RunRejected
from wfbench.validation.inputs import storable_problems
from wfbench.workbench import Workbench

ECHO = {
    "format": "wfbench/v1",
    "name": "Echo",
    "type": "manual",
    "run_as": "read_only",
    "trigger": {"input_schema": {"type": "object"}},
    "steps": [
        {"id": "echo", "kind": "action", "action": "core.set", "with": {"value": "{{ input }}"}}
    ],
}
UNSTORABLE: list[tuple[Any, str]] = [
    ({"email": "\ud800@example.com"}, "/email"),
    ({"\udfff": 1}, "/\\udfff"),
    ({"a": ["ok", "x\udc00"]}, "/a/1"),
    ({"nul": "a\x00b"}, "/nul"),
    ({"n": float("nan")}, "/n"),
    ({"n": float("inf")}, "/n"),
    ({"n": 2**64}, "/n"),
    ({"n": -(2**63) - 1}, "/n"),
]


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    bench = Workbench(tmp_path / "store.duckdb")
    bench.init()
    bench.save(ECHO)
    return bench


@pytest.mark.parametrize(("value", "pointer"), UNSTORABLE)
def test_unstorable_input_is_refused_before_the_run(
    wb: Workbench, value: Any, pointer: str
) -> None:
    checked = wb.runs.check_input("Echo", value)
    assert [p for p, _ in checked.problems] == [pointer]
    with pytest.raises(RunRejected) as info:
        wb.run("Echo", value)
    assert info.value.problems[0][0] == pointer
    runs = wb.runs("Echo")
    assert list(runs["status"]) == ["rejected"]  # recorded, readable, nothing half-run
    assert wb.runs.get(info.value.run_id)["status"] == "rejected"


def test_every_problem_at_once_and_deep_nesting() -> None:
    deep: Any = "x"
    for _ in range(200):
        deep = [deep]
    problems = storable_problems({"a": "\ud800", "b": float("nan"), "c": deep})
    assert [p for p, _ in problems][:2] == ["/a", "/b"] and len(problems) == 3


def test_storable_edge_values_still_run(wb: Workbench) -> None:
    value = {"n": 2**63 - 1, "m": -(2**63), "u": 2**64 - 1, "t": "\u202e ok é 😀", "f": 1e308}
    record = wb.run("Echo", value)
    assert record.status == "succeeded"
    assert wb.runs.get(record.run_id)["input"] == value


def test_expression_object_keys_are_stored_as_json_writes_them(wb: Workbench) -> None:
    """Issue 10.12: {null: 1} in an expression was stored with the key "None"."""
    doc = {
        **ECHO,
        "name": "Keys",
        "steps": [
            {
                "id": "echo",
                "kind": "action",
                "action": "core.set",
                "with": {"value": "{{ {null: 1, true: 2, 1.5: 3, 7: 4} }}"},
            }
        ],
    }
    wb.save(doc)
    record = wb.run("Keys", {})
    output = wb.runs.get(record.run_id)["steps"][0]["output"]
    assert output == {"value": {"null": 1, "true": 2, "1.5": 3, "7": 4}}
