"""Long runs in bounded memory (issue 12, item 6): the run's record keeps the first
KEPT_STEPS step records and the outputs of the first KEPT_ITERATION_OUTPUTS loop
iterations; history keeps everything. The bounds are lowered here so a short run
crosses them; the memory figure itself is measured by bench/long_run.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wfbench.engine import lifecycle
from wfbench.workbench import Workbench

NESTED = {
    "format": "wfbench/v1",
    "name": "Nested",
    "run_as": "administrator",
    "trigger": {
        "input_schema": {
            "type": "object",
            "properties": {"outer": {"type": "array"}, "inner": {"type": "array"}},
        }
    },
    "steps": [
        {
            "id": "each",
            "kind": "loop",
            "items": "{{ input.outer }}",
            "as": "o",
            "max_iterations": 100,
            "steps": [
                {
                    "id": "inner",
                    "kind": "loop",
                    "items": "{{ input.inner }}",
                    "as": "i",
                    "max_iterations": 100,
                    "steps": [
                        {
                            "id": "log",
                            "kind": "action",
                            "action": "core.log",
                            "with": {"message": "{{ o }}-{{ i }}"},
                        }
                    ],
                }
            ],
        },
        {"id": "after", "kind": "action", "action": "core.log", "with": {"message": "done"}},
    ],
}


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    wb = Workbench(tmp_path / "w.duckdb")
    wb.save(NESTED)
    return wb


def _run(wb: Workbench, outer: int, inner: int) -> Any:
    return wb.run("Nested", {"outer": list(range(outer)), "inner": list(range(inner))})


def test_a_short_run_keeps_everything(wb: Workbench) -> None:
    run = _run(wb, 2, 3)
    assert run.status == "succeeded"
    assert len(run.steps) == 1 + 2 * (1 + 3) + 1
    outer = run.output["each"]
    assert [len(item["inner"]) for item in outer] == [3, 3]
    assert outer[1]["inner"][2]["log"] is not None
    assert run.output["after"] is not None


def test_a_long_run_keeps_a_bounded_record_and_history_keeps_all(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lifecycle, "KEPT_STEPS", 10)
    monkeypatch.setattr(lifecycle, "KEPT_ITERATION_OUTPUTS", 7)
    run = _run(wb, 3, 4)  # 1 + 3 * (1 + 4) + 1 = 17 steps, 3 + 12 = 15 iterations
    assert run.status == "succeeded"
    assert len(run.steps) == 10
    every = wb.steps(run.run_id)
    assert every["seq"].tolist() == list(range(1, 18))
    assert {s.seq for s in run.steps} < set(every["seq"])  # the first ten that ended
    assert every["status"].eq("succeeded").all()
    # the first 7 iterations that ended keep their outputs: 4 inner ones of the first
    # outer iteration, that outer iteration, then 2 inner ones of the second
    outer = run.output["each"]
    assert outer[0] is not None and len(outer[0]["inner"]) == 4
    assert all(x is not None for x in outer[0]["inner"])
    assert outer[1] is None and outer[2] is None
    assert run.output["after"] is not None  # top-level outputs are never dropped
    stored = wb.runs.get(run.run_id)
    assert stored["output"] == run.output
    assert len(stored["steps"]) == 17
