"""The run starter (issue 18.1): the run a caller holds is the run history keeps.

A custom action echoes a connector's bearer token (read from its environment variable).
Every face shows ``***`` in its place: ``wb.run()``'s record, the HTTP start's answer, a
later GET and ``wfbench show --json``; and the caller's record equals history's, field
for field. A disabled workflow is refused with :class:`WorkflowDisabled` by every door
and kept as ``rejected``.
"""

from __future__ import annotations

import io
import json
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from wfbench import Workbench
from wfbench.actions.context import Connector
from wfbench.cli import main
from wfbench.errors import WorkflowDisabled
from wfbench.runs import RUN_FIELDS, STEP_FIELDS

TOKEN = "Zq8Wv3-bearer-token-of-the-echo-connector"
NAME = "Echo the token"


class NoInput(BaseModel):
    pass


class Echoed(BaseModel):
    said: str


def _workbench(path: Path) -> Workbench:
    wb = Workbench(str(path))
    wb.init()
    wb.add_connector(
        Connector(
            name="vault", base_url="http://127.0.0.1:9", auth="bearer", token_env="STARTER_TOKEN"
        )
    )

    @wb.action("custom.echo_token", input=NoInput, output=Echoed, side_effects=False)
    def echo_token(params: NoInput, ctx: Any) -> Echoed:
        import os

        connector = ctx.connectors["vault"]
        return Echoed(said=f"bearer {os.environ[connector.token_env]}")

    wb.save(
        {
            "format": "wfbench/v1",
            "name": NAME,
            "type": "manual",
            "run_as": "read_only",
            "trigger": {"input_schema": {"type": "object"}},
            "steps": [{"id": "echo", "kind": "action", "action": "custom.echo_token"}],
        }
    )
    return wb


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARTER_TOKEN", TOKEN)


def _cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out)
    return code, out.getvalue()


def test_what_the_caller_holds_is_what_history_keeps(tmp_path: Path) -> None:
    wb = _workbench(tmp_path / "starter.duckdb")
    record = wb.run(NAME, {})
    assert record.status == "succeeded", record
    assert record.steps[0].output == {"said": "bearer ***"}
    assert record.output == {"echo": {"said": "bearer ***"}}
    assert TOKEN not in repr(record)

    kept = wb.runs.get(record.run_id)
    held = record.to_dict()
    assert {k: held[k] for k in RUN_FIELDS} == {k: kept[k] for k in RUN_FIELDS}
    assert [{k: s[k] for k in STEP_FIELDS} for s in held["steps"]] == [
        {k: s[k] for k in STEP_FIELDS} for s in kept["steps"]
    ]

    code, text = _cli("--db", wb.path, "show", record.run_id, "--json")
    assert code == 0, text
    shown = json.loads(text)
    assert shown["steps"][0]["output"] == {"said": "bearer ***"}
    assert TOKEN not in text


def test_the_http_start_answers_the_masked_run(tmp_path: Path) -> None:
    wb = _workbench(tmp_path / "starter.duckdb")
    key = wb.access.create_key("starter", "runner")
    path = f"/api/v2/workflows/{urllib.parse.quote(NAME)}/runs"
    with wb.serve(port=0) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        started = http.post(path, json={}, headers={"x-api-key": key})
        assert started.status_code == 201, started.text
        run_id = started.json()["run_id"]
        again = http.get(f"/api/v2/workflows/runs/{run_id}", headers={"x-api-key": key})
    assert again.status_code == 200, again.text
    for body in (started, again):
        assert body.json()["steps"][0]["output"] == {"said": "bearer ***"}, body.text
        assert TOKEN not in body.text
    assert started.json() == again.json()


def test_a_disabled_workflow_is_refused_alike_by_every_door(tmp_path: Path) -> None:
    wb = _workbench(tmp_path / "starter.duckdb")
    wb.workflows.disable(NAME)
    with pytest.raises(WorkflowDisabled, match="disabled"):
        wb.run(NAME, {})
    outcomes = wb.run_many(NAME, [{}], progress=False)
    assert list(outcomes["status"]) == ["rejected"]
    report = wb.check(NAME, [{"name": "runs", "expect": {"status": "succeeded"}}])
    assert not report.passed and report.results[0].status == "rejected"
    assert "disabled" in report.results[0].failures[0]
    code, text = _cli("--db", wb.path, "run", NAME, "--input", "{}")
    assert code == 3, text
    key = wb.access.create_key("starter", "runner")
    path = f"/api/v2/workflows/{urllib.parse.quote(NAME)}/runs"
    with wb.serve(port=0) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        refused = http.post(path, json={}, headers={"x-api-key": key})
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("workflow-disabled")
    rejected = wb.runs(NAME)
    # wb.run, the batch's row, the CLI and HTTP: four starts, each kept as rejected
    # (the test case's sandbox keeps nothing)
    assert list(rejected["status"]) == ["rejected"] * 4
    assert all("disabled" in e for e in rejected["error"])
    # one overview query: the table, the widget and `wfbench list` count them alike
    row = wb.workflows().set_index("name").loc[NAME]
    assert (row["run_count"], row["rejected_count"]) == (0, 4)
    shown = wb.overview().frame.set_index("name").loc[NAME]
    assert (shown["run_count"], shown["rejected_count"]) == (0, 4)


def test_action_flags_mean_the_same_through_the_facade_and_the_registry() -> None:
    from wfbench.actions import ActionRegistry

    wb = Workbench(":memory:")
    registry = ActionRegistry([])

    def handler(params: NoInput, ctx: Any) -> Echoed:
        return Echoed(said="")

    wb.action("custom.a", input=NoInput, output=Echoed, dry_run_safe=True)(handler)
    registry.action("custom.a", input=NoInput, output=Echoed, dry_run_safe=True)(handler)
    through_facade = wb.catalogue.actions(format="registry").get("custom.a")
    direct = registry.get("custom.a")
    flags = ("callable_in_dry_run", "batched", "side_effects", "exclusive", "idempotent")
    assert {f: getattr(through_facade, f) for f in flags} == {f: getattr(direct, f) for f in flags}
