"""Issue 18.5: a batch whose remote action cannot be sent to the Dask workers is refused
once, before any row runs, in one line that names the action, what could not be pickled
and what to do; nothing reaches stderr (a real ``LocalCluster(processes=True)``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from wfbench import Workbench
from wfbench.errors import NotPicklable

from . import actions

distributed = pytest.importorskip("distributed")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def _register_held(wb: Workbench) -> None:
    """A remote action whose input model (defined in a function) holds a lock."""

    class HeldIn(BaseModel):
        held: ClassVar[Any] = threading.Lock()
        n: int
        effects: str | None = None
        sleep_s: float = 0.0
        gate: str | None = None  # actions.workflow passes it

    @wb.action("test.held", input=HeldIn, output=actions.WhereOut, remote=True)
    def held(params: HeldIn, ctx: Any) -> actions.WhereOut:
        return actions.WhereOut(pid=0, square=params.n)


def test_an_unpicklable_action_is_refused_before_any_row(
    wb: Workbench, client: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    _register_held(wb)
    wb.save({**actions.workflow("test.held"), "name": "Held"})
    capfd.readouterr()
    with pytest.raises(NotPicklable) as refused:
        wb.run_many("Held", [{"n": i} for i in range(5)], executor=client, progress=False)
    message = str(refused.value)
    assert "\n" not in message
    assert "test.held" in message and "input model" in message and "HeldIn" in message
    assert "top level of a module or of a notebook cell" in message
    assert refused.value.action == "test.held"
    assert len(wb.runs("Held")) == 0  # no row ran, none was recorded
    _, err = capfd.readouterr()
    assert err == ""
    # the same workflow in this process (no executor) still runs
    assert set(wb.run_many("Held", [{"n": 2}], progress=False)["status"]) == {"succeeded"}
