"""wfbench.engine.cluster: which attempts go to Dask, what travels, what comes back.

The client here is a stand-in that runs each submitted task at once in this process (the
real cluster is exercised end to end by tests/batches/): what is tested is the invoker's
own logic, not Dask's.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

import pytest
from pydantic import BaseModel

from wfbench.actions import ActionRegistry, ActionSpec
from wfbench.actions.context import ActionContext
from wfbench.engine.cluster import SCHEDULER_ENV, DaskInvoker, _lost, invoker_for
from wfbench.errors import NotPicklable


class Ping(BaseModel):
    text: str


def echo(params: Ping, ctx: ActionContext) -> Ping:
    ctx.change(f"echoed {params.text} on {ctx.run_id}")
    ctx.log("remote")
    return Ping(text=params.text.upper())


class FakeClient:
    """Runs a submitted task at once; remembers what was submitted, cancelled, closed."""

    dashboard_link = "http://127.0.0.1:8787/status"

    def __init__(self) -> None:
        self.submitted: list[dict[str, Any]] = []
        self.closed = False

    def submit(self, fn: Any, *args: Any, **options: Any) -> Future[Any]:
        self.submitted.append({"args": args, **options})
        future: Future[Any] = Future()
        future.set_result(fn(*args))
        return future

    def cancel(self, future: Any) -> None:
        raise AssertionError("nothing to cancel: every task here ends at once")

    def close(self) -> None:
        self.closed = True


def spec_of(**flags: Any) -> ActionSpec:
    registry = ActionRegistry()
    registry.action("custom.echo", input=Ping, output=Ping, **flags)(echo)
    return registry.get("custom.echo")


def context(dry_run: bool = False) -> ActionContext:
    return ActionContext(run_id="r1", path="p", dry_run=dry_run, permissions=frozenset())


def test_a_remote_attempt_runs_on_the_cluster_and_brings_back_its_changes() -> None:
    client = FakeClient()
    invoker = DaskInvoker(client)
    ctx = context()
    spec = spec_of(remote=True, idempotent=True)
    out = invoker.call(spec, Ping(text="hi"), ctx, timeout_s=None)
    assert out == {"text": "HI"}  # JSON back; the run validates it against the model
    assert ctx.changes == ["echoed hi on r1"] and ctx.logs == ["remote"]
    (task,) = client.submitted
    assert task["pure"] is False and task["retries"] == 0
    assert task["key"].startswith("wfbench-custom.echo-")
    handler, model, data, fields, claim = task["args"]
    assert (handler, model, data, claim) == (echo, Ping, {"text": "hi"}, None)
    assert fields["connectors"] == {}  # only http.request carries its connectors


def test_local_and_dry_run_side_effects_stay_in_this_process() -> None:
    client = FakeClient()
    invoker = DaskInvoker(client)
    assert not invoker.remote(spec_of(), context())  # not declared remote
    assert not invoker.remote(spec_of(remote=True), context(dry_run=True))  # a dry run's
    assert invoker.remote(spec_of(remote=True, side_effects=False), context(dry_run=True))
    out = invoker.call(spec_of(), Ping(text="x"), context(), timeout_s=None)
    assert out == Ping(text="X") and client.submitted == []


def test_only_a_client_it_connected_itself_is_closed() -> None:
    given = FakeClient()
    DaskInvoker(given).close()
    assert not given.closed
    owned = FakeClient()
    invoker = DaskInvoker(owned, owns_client=True)
    assert invoker.dashboard_link == FakeClient.dashboard_link
    invoker.close()
    invoker.close()
    assert owned.closed


def test_an_action_that_cannot_travel_is_refused_by_name() -> None:
    lock = threading.Lock()

    def holds_a_lock(params: Ping, ctx: ActionContext) -> Ping:
        with lock:
            return params

    registry = ActionRegistry()
    registry.action("custom.locked", input=Ping, output=Ping, remote=True)(holds_a_lock)
    invoker = DaskInvoker(FakeClient())
    invoker.refuse_unpicklable([spec_of(remote=True)])  # top-level: travels
    with pytest.raises(NotPicklable) as refused:
        invoker.refuse_unpicklable([registry.get("custom.locked")])
    said = str(refused.value)
    assert said.startswith("the batch was not started: custom.locked cannot be sent")
    assert "its function" in said and "holds_a_lock" in said and "top level" in said


def test_a_lost_worker_says_whether_it_was_called_again() -> None:
    spec = spec_of()
    assert "lost too many times" in str(_lost(spec, idempotent=True))
    assert "was not called again because custom.echo is not declared idempotent" in str(
        _lost(spec, idempotent=False)
    )


def test_the_invoker_for_an_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    assert invoker_for(None) is None  # in this process
    mine = DaskInvoker(FakeClient())
    assert invoker_for(mine) is mine
    client = FakeClient()
    wrapped = invoker_for(client)
    assert isinstance(wrapped, DaskInvoker) and wrapped.client is client
    assert not wrapped.owns_client
