"""Sample values for the type-ahead lists: the trigger's sample input and the last run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wfbench.widgets import samples

DOC = json.loads(
    (Path(__file__).parents[2] / "tests" / "fixtures" / "offboard_user.json").read_text()
)
USER = {"id": "u_0002", "email": "mei@example.com", "groups": [{"id": "g_07", "name": "all"}]}
STEPS: list[dict[str, Any]] = [
    {"node": "user", "output": USER, "status": "succeeded"},
    {"node": "suspend", "output": USER, "status": "succeeded"},
    {"node": "leave", "output": {"group_id": "g_07"}, "status": "succeeded"},
    {"node": "leave", "output": {"group_id": "g_08"}, "status": "succeeded"},
    {"node": "each_group", "output": [{"leave": {}}], "status": "succeeded"},
]


def test_input_from_the_sample_and_steps_from_the_last_run() -> None:
    scope = samples.context(DOC, "suspend", run_input={"email": "old@example.com"}, run_steps=STEPS)
    found = samples.values(
        ["input.email", "steps.user.output.id", "steps.user.status", "steps.user.output.nope"],
        scope,
    )
    assert found == {
        "input.email": "alice@example.com",  # the trigger's sample wins over the run's input
        "steps.user.output.id": "u_0002",
        "steps.user.status": "succeeded",
    }  # a field the output lacks has no sample (not null)


def test_a_loop_variable_is_the_first_item_and_a_body_step_its_first_iteration() -> None:
    scope = samples.context(DOC, "leave", run_steps=STEPS)
    found = samples.values(
        ["group.id", "group", "loop.index", "steps.leave.output.group_id"], scope
    )
    assert found == {
        "group.id": "g_07",
        "group": {"id": "g_07", "name": "all"},
        "loop.index": 0,
        "steps.leave.output.group_id": "g_07",
    }


def test_without_a_run_only_the_sample_input() -> None:
    scope = samples.context(DOC, "leave")
    assert samples.values(["input.email", "steps.user.output.id", "group.id"], scope) == {
        "input.email": "alice@example.com"
    }
    assert samples.values(["input.email"], samples.context({}, None)) == {}
