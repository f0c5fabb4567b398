"""wfbench.store.recorder: a run's history writer (listeners told only of committed records),
the store's roles as a registry, and connectors whose secrets are masked."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from wfbench.actions import builtin_registry
from wfbench.actions.context import Connector
from wfbench.engine import Environment, Execution, Hooks, RunRecord, StepRecord
from wfbench.model import Workflow
from wfbench.roles import RoleRegistry
from wfbench.store import Store
from wfbench.store.recorder import (
    Recorder,
    StoredConnectors,
    StoredRoles,
    record_from_row,
    run_row,
)

WORKFLOW = Workflow.model_validate(
    {
        "name": "t",
        "run_as": "read_only",
        "steps": [
            {"id": "a", "kind": "action", "action": "core.set", "with": {"value": 1}},
            {"id": "b", "kind": "action", "action": "core.log", "with": {"message": "hi"}},
        ],
    }
)


class Watcher(Hooks):
    """Notes what history already holds each time it is told something."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: list[tuple[str, Any]] = []

    def run_started(self, *, run: RunRecord) -> None:
        self.seen.append(("started", self.store.get_run(run.run_id)["status"]))

    def step_finished(self, *, run: RunRecord, step: StepRecord, durable: bool) -> None:
        kept = [s["node"] for s in self.store.get_run(run.run_id)["steps"]]
        self.seen.append((step.node, kept))


def run(store: Store, recorder: Recorder) -> RunRecord:
    env = Environment(
        actions=builtin_registry(),
        directory=recorder.directory,
        connectors=recorder.connectors,
        transaction=recorder.transaction,
        lock=recorder.lock,
        mask=recorder.connectors.mask,
    )
    execution = Execution(
        WORKFLOW, {}, role=RoleRegistry().get("read_only"), env=env, hooks=[recorder]
    )
    with store.session():
        return execution.run()


def test_a_watcher_hears_only_of_what_history_already_holds(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.duckdb"))
    watcher = Watcher(store)
    recorder = Recorder(store, watchers=[watcher])
    assert recorder.durable_start  # watched: the run's row commits as it starts
    record = run(store, recorder)
    assert watcher.seen == [("started", "running"), ("a", ["a"]), ("b", ["a", "b"])]
    assert recorder.announced.is_set()
    kept = store.get_run(record.run_id)
    assert kept["status"] == "succeeded" and [s["node"] for s in kept["steps"]] == ["a", "b"]
    assert record_from_row(kept) == record  # what the caller holds is what history keeps
    store.close()


def test_an_unwatched_run_is_kept_whole_at_its_end(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.duckdb"))
    recorder = Recorder(store)
    assert not recorder.durable_start
    record = run(store, recorder)
    assert store.get_run(record.run_id)["output"] == {"a": {"value": 1}, "b": {"message": "hi"}}
    assert run_row(record) == {k: v for k, v in record.to_dict().items() if k != "steps"}
    store.close()


def test_stored_roles_are_seen_by_another_registry_on_the_store(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.duckdb"))
    StoredRoles(store).define("mfa_desk", ["users:write", "users:read"], "resets MFA")
    other = StoredRoles(store)  # another process's registry, say
    assert "mfa_desk" in other and "mfa_desk" in other.names()
    role = other.get("mfa_desk")
    assert role.permissions == {"users:read", "users:write"} and role.description == "resets MFA"
    assert "read_only" in [r.name for r in other]  # the built-ins too
    store.close()


def test_connector_secrets_are_masked_once_a_step_may_have_read_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("API_TOKEN", "Zq8Wv3token")
    monkeypatch.setenv("API_USER", "svc")
    monkeypatch.setenv("API_PASS", "hunter22")
    connectors = StoredConnectors()
    said: Any = {"auth": "bearer Zq8Wv3token"}
    assert len(connectors) == 0 and connectors.mask(said) is said  # not read yet: as is
    connectors.adopt(
        {
            "api": Connector("api", "https://api.example.com", "bearer", token_env="API_TOKEN"),
            "old": Connector("old", "https://old.example.com", "basic", "API_USER", "API_PASS"),
        }
    )
    assert sorted(connectors) == ["api", "old"] and connectors["api"].token_env == "API_TOKEN"
    basic = base64.b64encode(b"svc:hunter22").decode()
    assert connectors.mask(said) == {"auth": "bearer ***"}
    assert connectors.mask([f"Basic {basic}", "svc:hunter22", "hunter22"]) == [
        "Basic ***",
        "***",
        "***",
    ]
