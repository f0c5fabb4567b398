"""Runs on a SCIM directory: the effects seen through a separate plain HTTP client."""

from __future__ import annotations

from typing import Any

import pytest

from wfbench.errors import NotOnDirectory, UnknownDirectory
from wfbench.testing.scim_server import LocalScimServer
from wfbench.workbench import Workbench


def _user(server: LocalScimServer, user_id: str) -> dict[str, Any]:
    answer = server.http.get(f"/Users/{user_id}")
    assert answer.status_code == 200
    found: dict[str, Any] = answer.json()
    return found


def _member_ids(server: LocalScimServer, group_id: str) -> set[str]:
    group = server.http.get(f"/Groups/{group_id}").json()
    return {m["value"] for m in group.get("members", [])}


def test_a_real_run_suspends_and_removes_memberships(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any]
) -> None:
    alice = people["alice"]["id"]
    record = wb.run("Offboard user", {"email": "alice@example.com"}, directory="corp")
    assert record.status == "succeeded", record.error
    assert _user(server, alice)["active"] is False
    assert alice not in _member_ids(server, people["eng"]["id"])
    assert alice not in _member_ids(server, people["ops"]["id"])
    assert _member_ids(server, people["eng"]["id"]) == {people["bob"]["id"]}
    assert _user(server, people["bob"]["id"])["active"] is True  # nobody else touched
    changes = [s.change for s in record.steps if s.change]
    assert changes == [
        "suspended alice@example.com (active → suspended)",
        "removed alice@example.com from group eng",
        "removed alice@example.com from group ops",
    ]
    # history names the directory, in the table and the CLI's rows
    row = wb.runs(limit=1).iloc[0]
    assert row["directory"] == "corp"
    assert wb.runs.get(record.run_id)["directory"] == "corp"


def test_a_rerun_acts_on_the_directory_its_run_acted_on(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any]
) -> None:
    first = wb.run("Offboard user", {"email": "bob@example.com"}, directory="corp", dry_run=True)
    again = wb.runs.rerun(first.run_id)
    assert again.directory == "corp" and again.dry_run
    embedded = wb.run("Offboard contractor", {"email": "ada.lovelace@example.com"}, dry_run=True)
    assert wb.runs.rerun(embedded.run_id).directory == "embedded"


def test_a_run_without_directory_acts_on_the_embedded_one(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any]
) -> None:
    before = server.resources("Users")
    record = wb.run("Offboard contractor", {"email": "ada.lovelace@example.com"})
    assert record.directory == "embedded"
    assert server.resources("Users") == before


def test_a_directory_that_is_no_scim_connector_is_refused(wb: Workbench) -> None:
    with pytest.raises(UnknownDirectory, match="'nowhere' is no connector; name a SCIM"):
        wb.run("Offboard user", {"email": "alice@example.com"}, directory="nowhere")


def test_steps_scim_cannot_do_are_refused_before_the_run(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any]
) -> None:
    before = server.resources("Users"), server.resources("Groups")
    with pytest.raises(NotOnDirectory) as caught:
        wb.run("Offboard contractor", {"email": "alice@example.com"}, directory="corp")
    problems = dict(caught.value.problems)
    assert set(problems) == {"devices", "lock"}
    assert (
        "uses devices.list_for_user, which SCIM directory 'corp' cannot do" in (problems["devices"])
    )
    assert "uses devices.lock" in problems["lock"]
    run = wb.runs.get(caught.value.run_id)
    assert run["status"] == "rejected" and run["steps"] == [] and run["directory"] == "corp"
    assert (server.resources("Users"), server.resources("Groups")) == before


def test_the_run_dialog_shows_the_plan_and_runs_only_once_confirmed(
    wb: Workbench, server: LocalScimServer, people: dict[str, Any]
) -> None:
    from wfbench.widgets.run_dialog import RunDialog

    before = server.resources("Users"), server.resources("Groups")
    dialog = RunDialog(wb, "Offboard user")
    assert list(dialog.directory.options) == ["embedded", "corp"]
    dialog.directory.value = "corp"
    dialog.json_text.value = '{"email": "alice@example.com"}'
    dialog.run_button.click()  # first click: the plan, nothing runs
    assert dialog.handle is None
    assert "on directory corp (" + server.url + ")" in dialog.plan_html.value
    assert "would suspend alice@example.com" in dialog.plan_html.value
    assert dialog.run_button.description == "Confirm: run on corp"
    assert (server.resources("Users"), server.resources("Groups")) == before
    dialog.run_button.click()  # confirmed
    record = dialog.wait(60)
    assert record is not None and record.status == "succeeded" and record.directory == "corp"
    assert _user(server, people["alice"]["id"])["active"] is False
