"""wfbench.widgets.run_as: Run As lists the roles, marks the narrowest, says what Save will."""

from __future__ import annotations

from typing import Any

from wfbench.roles import BUILTIN_ROLES
from wfbench.validation import validate
from wfbench.widgets.run_as import RunAsPicker

from .support import text

ROLES = [role.name for role in BUILTIN_ROLES]


def suspend(run_as: str) -> dict[str, Any]:
    step = {"id": "s", "kind": "action", "action": "users.suspend", "with": {"user_id": "u"}}
    return {"name": "x", "run_as": run_as, "steps": [step]}


def test_the_narrowest_role_is_marked_and_a_broader_one_warned() -> None:
    picked: list[str] = []
    picker = RunAsPicker(picked.append)
    picker.update(validate(suspend("administrator")), "administrator", ROLES)
    labels = dict((value, label) for label, value in picker.select.options)
    assert labels["help_desk"] == "help_desk (narrowest: covers users:write; also allows " + (
        "notifications:send)"
    )
    assert labels["administrator"] == "administrator"
    assert picker.select.value == "administrator" and picked == []  # shown, not picked
    assert "grants more than the workflow needs" in picker.message.value
    assert "#b45f06" in picker.message.value  # a warning's colour: the save is allowed
    assert not picker.narrowest_button.disabled
    picker.narrowest_button.click()
    assert picked == ["help_desk"]


def test_a_role_too_narrow_is_an_error_and_the_narrowest_says_ok() -> None:
    picker = RunAsPicker(lambda role: None)
    picker.update(validate(suspend("read_only")), "read_only", ROLES)
    assert "lacks users:write" in picker.message.value and "#cc0000" in picker.message.value
    picker.update(validate(suspend("help_desk")), "help_desk", ROLES)
    said = text(picker.message)
    assert said == "✔ 'help_desk' is the narrowest role that covers every action"
    assert picker.narrowest_button.disabled  # already the narrowest


def test_a_role_not_among_the_known_ones_is_still_shown() -> None:
    picker = RunAsPicker(lambda role: None)
    picker.update(validate(suspend("help_desk")), "gone_role", ROLES)
    assert picker.select.options[-1] == ("gone_role", "gone_role")
    assert picker.select.value == "gone_role"
