"""wfbench.widgets.canvas_state: the leave prompt, the Enable toggle, drafts as comparable text."""

from __future__ import annotations

from typing import Any

from wfbench.widgets.canvas_state import (
    EnableToggle,
    LeavePrompt,
    canonical,
    canonical_cases,
    free_name,
)
from wfbench.workbench import Workbench

from .support import START


def test_the_leave_prompt_asks_and_runs_the_answer_once_hidden() -> None:
    prompt = LeavePrompt()
    assert not prompt.shown
    said: list[str] = []
    prompt.ask("<Mine>", save=lambda: said.append("save"), discard=lambda: said.append("drop"))
    assert prompt.shown and "'&lt;Mine&gt;' has unsaved changes" in prompt.label.value
    prompt.stay_button.click()
    assert not prompt.shown and said == []
    prompt.ask("x", save=lambda: said.append(f"save shown={prompt.shown}"), discard=print)
    prompt.save_button.click()
    assert said == ["save shown=False"]  # hidden before the answer runs
    prompt.ask("x", save=print, discard=lambda: said.append("drop"))
    prompt.discard_button.click()
    assert said[-1] == "drop" and not prompt.shown


def test_the_enable_toggle_shows_the_saved_state_quietly_and_reports_clicks() -> None:
    seen: list[bool] = []
    toggle = EnableToggle(seen.append)
    toggle.show(None)  # not saved yet: nothing to switch, but the header keeps its room
    assert toggle.toggle.layout.visibility == "hidden"
    toggle.show(False)
    assert toggle.toggle.layout.visibility == "visible" and seen == []
    assert (toggle.toggle.description, toggle.toggle.icon) == ("Disabled", "toggle-off")
    assert toggle.toggle.button_style == "warning"
    toggle.toggle.value = True  # a click
    assert seen == [True] and toggle.toggle.description == "Enabled"
    toggle.toggle.value = False
    assert seen == [True, False]


def test_canonical_compares_what_a_draft_means() -> None:
    step = {"id": "log", "kind": "action", "action": "core.log", "with": {"message": "hi"}}
    plain = {**START, "steps": [step]}
    explicit = {**START, "steps": [{**step, "on_error": "fail"}]}  # the default, spelled out
    reordered = dict(reversed(list(plain.items())))
    assert canonical(plain) == canonical(explicit) == canonical(reordered)
    assert canonical(plain) != canonical({**START, "steps": [{**step, "on_error": "continue"}]})
    broken: dict[str, Any] = {"steps": "not a list", "name": "b"}
    assert canonical(broken) == '{"name": "b", "steps": "not a list"}'  # kept as typed


def test_canonical_cases_sorts_keys_and_tells_none_from_empty() -> None:
    assert canonical_cases(None) == ""
    assert canonical_cases([]) == "[]"
    assert canonical_cases([{"name": "a", "input": {}}]) == canonical_cases(
        [{"input": {}, "name": "a"}]
    )


def test_free_name_is_the_first_untitled_name_not_taken(wb: Workbench) -> None:
    assert free_name(wb) == "Untitled workflow 1"
    wb.save({**START, "name": "untitled WORKFLOW 1"})  # names ignore case
    assert free_name(wb) == "Untitled workflow 2"
