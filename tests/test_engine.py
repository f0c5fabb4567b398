"""Runs through the Workbench on real DuckDB files seeded with the demo directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from wfbench.actions.context import ActionContext
from wfbench.engine import RunRecord
from wfbench.errors import RunRejected
from wfbench.workbench import Workbench

SAMPLES = Path(__file__).parent.parent / "wfbench" / "samples"


def flow(
    *steps: dict[str, Any],
    run_as: str = "administrator",
    name: str = "t",
    props: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "format": "wfbench/v1",
        "name": name,
        "run_as": run_as,
        "trigger": {"input_schema": {"type": "object", "properties": props or {}}},
        "steps": list(steps),
    }


def act(id_: str, action: str, **kw: Any) -> dict[str, Any]:
    with_ = kw.pop("with_", {})
    return {"id": id_, "kind": "action", "action": action, "with": with_, **kw}


def one(wb: Workbench, query: str, *params: Any) -> Any:
    return wb.sql(query, list(params)).iloc[0, 0]


def test_offboard_sample_has_its_effects_in_the_directory(wb: Workbench) -> None:
    sample = json.loads((SAMPLES / "offboard_contractor.input.json").read_text())
    ada = "ada.lovelace@example.com"
    uid = one(wb, "select id from users where email = ?", ada)
    devices = int(one(wb, "select count(*) from devices where owner_id = ?", uid))
    assert int(one(wb, "select count(*) from memberships where user_id = ?", uid)) >= 2
    run = wb.run("Offboard contractor", sample)
    assert run.status == "succeeded", run.error
    assert one(wb, "select status from users where id = ?", uid) == "suspended"
    assert int(one(wb, "select count(*) from memberships where user_id = ?", uid)) == 0
    assert (
        int(one(wb, "select count(*) from devices where owner_id = ? and status = 'locked'", uid))
        == devices
    )
    assert int(one(wb, "select count(*) from outbox where run_id = ?", run.run_id)) == 1
    steps = wb.steps(run.run_id)
    assert steps["seq"].tolist() == sorted(steps["seq"].tolist())
    skipped = steps[steps.status == "skipped"]
    assert skipped["path"].tolist() == ["is_contractor.else.refuse"]
    leave = steps[steps.node == "leave"]
    assert leave["path"].iloc[0] == "is_contractor.then.each_group[0].leave"
    assert leave["iteration"].tolist() == list(range(len(leave)))
    history = wb.runs("Offboard contractor")
    assert history.iloc[0]["run_id"] == run.run_id
    assert history.iloc[0]["input"] == {"email": ada, "notify": True}  # default applied


def test_onboard_sample_creates_the_hire_with_groups(wb: Workbench) -> None:
    sample = json.loads((SAMPLES / "onboard_new_hire.input.json").read_text())
    run = wb.run("Onboard new hire", sample)
    assert run.status == "succeeded", run.error
    grace = wb.sql("select * from users where email = 'grace.hopper@example.com'")
    assert len(grace) == 1 and grace.iloc[0]["department"] == "engineering"
    groups = wb.sql(
        "select g.name from memberships m join groups g on g.id = m.group_id "
        "where m.user_id = ? order by 1",
        [grace.iloc[0]["id"]],
    )
    assert groups["name"].tolist() == ["engineering", "vpn-users"]
    assert run.output["create"]["email"] == "grace.hopper@example.com"


def test_dry_run_changes_nothing_and_records_what_it_would_do(wb: Workbench) -> None:
    tables = ["users", "memberships", "devices", "outbox"]
    before = {t: wb.sql(f"select * from {t} order by all") for t in tables}
    run = wb.run("Offboard contractor", {"email": "ada.lovelace@example.com"}, dry_run=True)
    assert run.status == "succeeded" and run.dry_run
    for t in tables:
        assert wb.sql(f"select * from {t} order by all").equals(before[t]), t
    steps = wb.steps(run.run_id)
    suspend = steps[steps.node == "suspend"].iloc[0]
    assert suspend["status"] == "simulated"
    assert "suspend" in suspend["change"] and "ada.lovelace" in suspend["change"]
    assert suspend["output"]["status"] == "suspended"  # the output it would give
    assert set(steps[steps.node == "user"]["status"]) == {"succeeded"}  # reads run for real
    assert bool(wb.runs().iloc[0]["dry_run"]) is True


def test_the_role_is_enforced_at_run_time_whatever_a_custom_action_claims(wb: Workbench) -> None:
    class ById(BaseModel):
        user_id: str

    @wb.action(
        "custom.sneaky", input=ById, output=ById, permissions=["users:read"], side_effects=False
    )
    def sneaky(params: ById, ctx: ActionContext) -> ById:
        ctx.directory.suspend_user(params.user_id)  # claims only users:read
        return params

    wb.save(flow(act("s", "custom.sneaky", with_={"user_id": "u_0001"}), run_as="read_only"))
    run = wb.run("t")
    assert run.status == "failed"
    assert "users:write" in (run.error or "")
    assert one(wb, "select status from users where id = 'u_0001'") == "active"


def test_rejected_starts_are_kept_with_their_reasons(wb: Workbench) -> None:
    with pytest.raises(RunRejected) as info:
        wb.run("Onboard new hire", {"email": "not-an-email", "surprise": 1})
    pointers = {p for p, _ in info.value.problems}
    assert {"", "/email"} <= pointers
    row = wb.runs.get(info.value.run_id)
    assert row["status"] == "rejected"
    assert any("first_name" in r["message"] for r in row["reasons"])
    wb.workflows.disable("Onboard new hire")
    with pytest.raises(RunRejected, match="disabled"):
        wb.run(
            "Onboard new hire", json.loads((SAMPLES / "onboard_new_hire.input.json").read_text())
        )
    assert wb.runs(status="rejected")["workflow"].tolist() == ["Onboard new hire"] * 2


def test_runs_are_pinned_to_their_version_and_can_be_rerun(wb: Workbench) -> None:
    wb.save(
        flow(
            act("a", "core.set", with_={"value": "{{ input.x }}"}), props={"x": {"type": "integer"}}
        )
    )
    first = wb.run("t", {"x": 1})
    edited = flow(
        act("a", "core.set", with_={"value": "{{ input.x * 10 }}"}),
        props={"x": {"type": "integer"}},
    )
    assert wb.save(edited).version == 2
    again = wb.runs.rerun(first.run_id)
    edited_run = wb.runs.rerun(first.run_id, {"x": 5})
    assert isinstance(again, RunRecord) and isinstance(edited_run, RunRecord)
    assert (first.version, again.version) == (1, 2)
    assert again.output == {"a": {"value": 10}}
    assert edited_run.output == {"a": {"value": 50}}
    assert wb.runs.get(again.run_id)["rerun_of"] == first.run_id
    assert wb.runs.get(first.run_id)["version"] == 1


def test_idempotent_starts(wb: Workbench) -> None:
    wb.save(
        flow(
            act("a", "core.set", with_={"value": "{{ input.x }}"}), props={"x": {"type": "integer"}}
        )
    )
    first = wb.run("t", {"x": 1}, idempotency_key="k1")
    again = wb.run("t", {"x": 1}, idempotency_key="k1")
    assert again.run_id == first.run_id
    assert len(wb.runs("t")) == 1
    with pytest.raises(Exception, match="different input"):
        wb.run("t", {"x": 2}, idempotency_key="k1")


def test_a_dry_run_never_keeps_a_directory_change_whatever_an_action_claims(
    wb: Workbench,
) -> None:
    class ById(BaseModel):
        user_id: str

    calls: list[str] = []

    @wb.action(
        "custom.liar", input=ById, output=ById, permissions=["users:write"], side_effects=False
    )  # claims to change nothing, then suspends someone
    def liar(params: ById, ctx: ActionContext) -> ById:
        calls.append(params.user_id)
        ctx.directory.suspend_user(params.user_id)
        return params

    wb.save(
        flow(
            act("s", "custom.liar", with_={"user_id": "u_0001"}),
            act("after", "users.get", with_={"id": "u_0001"}),
            run_as="help_desk",
        )
    )
    run = wb.run("t", dry_run=True)
    assert run.status == "succeeded" and calls == ["u_0001"]
    by_node = {s.node: s for s in run.steps}
    assert by_node["after"].output["status"] == "suspended"  # the dry run saw its own change
    assert one(wb, "select status from users where id = 'u_0001'") == "active"  # not kept


def test_custom_roles_are_kept_in_the_store(wb: Workbench) -> None:
    wb.catalogue.define_role("mfa_desk", ["users:read", "users:write"], "resets MFA")
    wb.save(flow(act("r", "users.reset_mfa", with_={"user_id": "u_0001"}), run_as="mfa_desk"))
    other = Workbench(wb.path)  # another process would see the same
    assert "mfa_desk" in [r.name for r in other.catalogue.roles(format="objects")]
    run = other.run("t")
    assert (run.status, run.run_as) == ("succeeded", "mfa_desk")


def test_a_start_under_an_unknown_role_is_rejected_and_recorded(wb: Workbench) -> None:
    wb.catalogue.define_role("temp_role", ["users:read"])
    wb.save(flow(act("g", "users.get", with_={"id": "u_0001"}), run_as="temp_role"))
    wb.sql("delete from roles where name = 'temp_role'")
    other = Workbench(wb.path)
    with pytest.raises(RunRejected, match="temp_role"):
        other.run("t")
    row = other.runs(status="rejected").iloc[0]
    assert row["run_as"] == "temp_role"
