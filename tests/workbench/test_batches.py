"""wfbench.workbench.batches: ``wb.run_many``'s wiring of a batch to the store, the run
starter and (with an executor) a Dask cluster; here without one, in this process."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from wfbench.model import Workflow
from wfbench.workbench import Workbench
from wfbench.workbench.batches import _batch_display, _remote_actions

from .support import HELLO


@pytest.fixture(autouse=True)
def no_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WFBENCH_DASK_SCHEDULER", raising=False)


def test_each_row_is_a_recorded_run_and_the_batch_resumes(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.save(HELLO)
    rows = [{"name": "Ada"}, {"name": "Bob", "times": 2}, {"times": 3}]
    frame = wb.run_many("Hello", rows, batch="b1", concurrency=2, progress=False)
    assert list(frame["status"]) == ["succeeded", "succeeded", "rejected"]
    history = wb.runs(batch="b1")
    assert len(history) == 3 and set(history["idempotency_key"]) == {"b1:0", "b1:1", "b1:2"}
    assert set(history["started_by"]) == {"notebook"}
    again = wb.run_many("Hello", rows, batch="b1", progress=False)
    assert list(again["resumed"]) == [True, True, False]  # the rejected row is tried again
    assert list(again["run_id"][:2]) == list(frame["run_id"][:2])
    assert len(wb.runs(batch="b1")) == 4


def test_a_batch_not_waited_for_is_its_handle(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.save(HELLO)
    seen: list[int] = []
    job = wb.run_many(
        "Hello", [{"name": "Ada"}], wait=False, progress=lambda p: seen.append(p.done)
    )
    frame = job.wait(60)  # type: ignore[union-attr]
    assert list(frame["status"]) == ["succeeded"] and seen[-1] == 1


class Ping(BaseModel):
    text: str


def test_the_actions_a_cluster_would_run_are_the_remote_ones(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.action("custom.far", input=Ping, output=Ping, remote=True)(lambda p, ctx: p)
    wb.action("custom.near", input=Ping, output=Ping)(lambda p, ctx: p)

    def step(id_: str, action: str) -> dict[str, Any]:
        return {"id": id_, "kind": "action", "action": action, "with": {}}

    workflow = Workflow.model_validate(
        {
            "name": "w",
            "run_as": "read_only",
            "steps": [
                step("a", "custom.far"),
                step("b", "custom.near"),
                step("c", "http.request"),
                step("d", "custom.far"),
                step("e", "core.log"),
            ],
        }
    )
    remote = _remote_actions(wb.catalogue.actions(format="registry"), workflow)
    assert [s.name for s in remote] == ["custom.far", "http.request"]


def test_the_progress_display_is_the_callers_or_none_outside_a_notebook() -> None:
    def mine(progress: Any) -> None:
        pass

    assert _batch_display(mine, None) is mine
    assert _batch_display(False, None) is None
    assert _batch_display(None, None) is None  # not a kernel: no bar
    assert callable(_batch_display(True, "http://127.0.0.1:8787/status"))
