"""wfbench.directory.scim_base: one SCIM request with its failures in words, the run's
permissions, change lines to the step, and a SCIM user's fields as a record's."""

from __future__ import annotations

from typing import Any

import pytest

from wfbench.directory.scim_base import ScimBase, _quote, scim_user_fields, user_record
from wfbench.directory.targets import ScimTarget
from wfbench.errors import ActionError, PermissionDenied


def test_filter_values_are_quoted() -> None:
    assert _quote('a"b\\c') == '"a\\"b\\\\c"'


def test_a_user_resource_maps_field_by_field(
    scim_target: ScimTarget, scim_people: dict[str, Any]
) -> None:
    base = ScimBase(scim_target)
    try:
        alice = base._find_user(email=scim_people["alice"]["emails"][0]["value"].upper())
        fields = scim_user_fields(alice)
    finally:
        base.close()
    tag = scim_people["tag"]
    assert fields["id"] == scim_people["alice"]["id"]
    assert fields["manager_id"] == scim_people["boss"]["id"]
    assert fields["email"] == f"alice.{tag}@example.com"
    assert fields["status"] == "active" and fields["employee_type"] == "contractor"
    assert fields["created_at"].endswith("Z")
    emails = {scim_people["boss"]["id"]: "boss@elsewhere.example.com"}
    record = user_record(alice, emails, [])
    assert record.manager_email == "boss@elsewhere.example.com" and record.groups == []


def test_refusals_name_the_connector_and_what_to_do(
    scim_target: ScimTarget, monkeypatch: pytest.MonkeyPatch, scim_people: dict[str, Any]
) -> None:
    monkeypatch.setenv(scim_target.token_env or "", "not-the-token")
    base = ScimBase(scim_target)
    try:
        with pytest.raises(ActionError) as refused:
            base._find_user(id=scim_people["bob"]["id"])
    finally:
        base.close()
    said = str(refused.value)
    assert said.startswith(f"SCIM connector 'corp' ({scim_target.base_url}) refused the cred")
    assert f"check the token in ${scim_target.token_env}" in said
    assert "not-the-token" not in said


def test_the_run_role_and_the_steps_sink(scim_target: ScimTarget) -> None:
    base = ScimBase(scim_target, ["users:read"], run_id="r")
    heard: list[str] = []
    try:
        base._require("get_user", "users:read")
        with pytest.raises(PermissionDenied, match="suspend_user needs users:write, which"):
            base._require("suspend_user", "users:write")
        with base.reporting(heard.append):
            base._note("did one thing")
        base._note("did another")  # outside the block: kept, not passed on
    finally:
        base.close()
    assert heard == ["did one thing"] and base.changes == ["did one thing", "did another"]
    assert ScimBase(scim_target)._require("anything", "users:delete") is None  # no role
