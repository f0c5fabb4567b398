"""wfbench.widgets.edit: a draft's steps inserted, removed, moved and renamed in place."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wfbench.widgets import edit


def test_insert_remove_move_in_any_branch(offboard: dict[str, Any]) -> None:
    edit.insert(offboard, edit.new_node("action", "first", "core.log"))
    assert offboard["steps"][0]["id"] == "first"
    edit.insert(offboard, edit.new_node("action", "after_user", "core.log"), after="user")
    assert [n["id"] for n in offboard["steps"][:3]] == ["first", "user", "after_user"]
    edit.insert(offboard, edit.new_node("loop", "in_else"), into="is_contractor", branch="else")
    assert edit.find(offboard, "is_contractor")["else"][-1]["id"] == "in_else"
    edit.insert(offboard, edit.new_node("if_else", "in_body"), into="in_else", branch="steps")
    assert edit.find(offboard, "in_else")["steps"][0]["id"] == "in_body"
    assert edit.move(offboard, "after_user", -1) is True
    assert [n["id"] for n in offboard["steps"][:3]] == ["first", "after_user", "user"]
    assert edit.move(offboard, "first", -1) is False
    removed = edit.remove(offboard, "in_else")
    assert removed["steps"][0]["id"] == "in_body" and edit.find(offboard, "in_body") is None
    with pytest.raises(KeyError):
        edit.insert(offboard, {}, after="nope")


def test_rename_rewrites_references(offboard: dict[str, Any]) -> None:
    edit.rename(offboard, "user", "person")
    assert edit.find(offboard, "person") is not None
    assert edit.find(offboard, "is_contractor")["condition"] == (
        "{{ steps.person.output.employee_type == 'contractor' }}"
    )
    suspend = edit.find(offboard, "suspend")
    assert suspend["with"] == {"user_id": "{{ steps.person.output.id }}"}
    assert "steps.user." not in json.dumps(offboard)


def test_unique_and_valid_ids(offboard: dict[str, Any]) -> None:
    assert edit.unique_id(offboard, "users.get") == "users_get"
    assert edit.unique_id(offboard, "user") == "user_2"
    assert edit.unique_id(offboard, "9 lives") == "s_9_lives"
    assert edit.valid_id("ok_1") and not edit.valid_id("Bad") and not edit.valid_id("1x")
