"""wfbench.widgets.palette: the "+" panel gathers what to add and where, then hands it on."""

from __future__ import annotations

from typing import Any

from wfbench.actions import builtin_registry
from wfbench.widgets.graph import TRIGGER
from wfbench.widgets.palette import AddPanel, places_for


def test_places_follow_what_is_selected() -> None:
    assert places_for(TRIGGER, "trigger") == [
        ("at the start (after the trigger)", ("after", TRIGGER))
    ]
    assert places_for("user", "action") == [("after user", ("after", "user"))]
    assert [p for _, p in places_for("b", "if_else")] == [
        ("after", "b"),
        ("then", "b"),
        ("else", "b"),
    ]
    assert places_for("each", "loop")[1] == ("inside the body of each", ("steps", "each"))
    assert places_for("ph", "placeholder", "else", "b") == [("inside else of b", ("else", "b"))]


def test_the_panel_picks_an_action_by_category_and_adds_it_where_chosen() -> None:
    added: list[tuple[Any, ...]] = []
    cancelled: list[bool] = []
    places = places_for("b", "if_else")
    panel = AddPanel(
        builtin_registry(),
        places,
        suggest_id=lambda kind, action: f"{kind}:{action}",
        on_add=lambda *args: added.append(args),
        on_cancel=lambda: cancelled.append(True),
    )
    panel.choose_action("groups.remove_user")
    assert panel.category_select.value == builtin_registry().get("groups.remove_user").category
    assert panel.id_text.value == "action:groups.remove_user"  # suggested from the choice
    assert "needs groups:write" in panel.action_help.value
    panel.place_select.value = ("else", "b")
    panel.id_text.value = "  leave  "
    panel.confirm_button.click()
    assert added == [("action", "groups.remove_user", ("else", "b"), "leave")]
    panel.kind_select.value = "loop"
    assert panel.action_box.layout.display == "none" and panel.id_text.value == "loop:None"
    panel.confirm_button.click()
    assert added[-1] == ("loop", None, ("else", "b"), "loop:None")
    panel.cancel_button.click()
    assert cancelled == [True]
