"""The type-ahead box's kernel side: what its list offers, and what a pick writes."""

from __future__ import annotations

import pytest

from wfbench.widgets import typeahead
from wfbench.widgets.typeahead import (
    TypeAhead,
    page_script,
    replaced_span,
    sample_text,
    suggestions,
)

REFS = [
    ("input", "object"),
    ("input.email", "string"),
    ("steps.user.output.id", "string"),
    ("steps.user.output.groups", "list"),
    ("steps.user.output.mfa_enrolled", "boolean"),
    ("loop.index", "number"),
]


def test_a_field_is_offered_only_what_fits_with_samples() -> None:
    samples = {"input.email": "ada@example.com", "steps.user.output.groups": [{"id": "g_1"}]}
    text = suggestions(REFS, "string", samples)
    assert [s["value"] for s in text] == ["input.email", "steps.user.output.id"]
    assert text[0] == {"value": "input.email", "kind": "string", "text": '"ada@example.com"'}
    assert text[1]["text"] == ""  # no sample: nothing made up
    lists = suggestions(REFS, "list", samples)
    assert lists == [
        {"value": "steps.user.output.groups", "kind": "list", "text": '[{"id": "g_1"}]'}
    ]
    assert [s["value"] for s in suggestions(REFS, "boolean")] == ["steps.user.output.mfa_enrolled"]
    assert len(suggestions(REFS, "unknown")) == len(REFS)  # a field of unknown type takes any


def test_a_long_sample_is_cut() -> None:
    assert sample_text("x" * 100, limit=10) == '"xxxxxxxx…'
    assert sample_text({"a": 1}) == '{"a": 1}'


@pytest.mark.parametrize(
    ("text", "caret", "span"),
    [
        ("", 0, (0, 0)),
        ("{{ true }}", 10, (0, 10)),  # a lone placeholder: replaced
        ("user id", 7, (0, 7)),  # words typed to filter, no {{: replaced
        ("{{ group.", 9, (0, 9)),  # an expression being typed: from its {{
        ("{{ group }} x", 5, (0, 11)),  # the cursor inside an expression: all of it
        ("Dear {{ a }}, ", 14, (14, 14)),  # text with an expression: at the cursor
        ("Hi {{ input.", 12, (3, 12)),
    ],
)
def test_what_a_pick_replaces(text: str, caret: int, span: tuple[int, int]) -> None:
    assert replaced_span(text, caret) == span


def test_pick_is_the_code_twin_of_the_list() -> None:
    box = TypeAhead()
    box.suggestions = suggestions(REFS, "string")
    box.value = "{{ steps.us"
    box.pick("steps.user.output.id")
    assert box.value == "{{ steps.user.output.id }}"
    box.value = "Hello {{ input.email }}, "
    box.pick("steps.user.output.id")
    assert box.value == "Hello {{ input.email }}, {{ steps.user.output.id }}"
    with pytest.raises(KeyError, match="not offered"):
        box.pick("steps.user.output.groups")  # a list does not fit text
    whole = TypeAhead(whole=True)
    whole.suggestions, whole.value = suggestions(REFS, "list"), "{{ [] }} x"
    whole.pick("steps.user.output.groups")
    assert whole.value == "{{ steps.user.output.groups }}"  # one expression: replaced whole
    choice = TypeAhead(mode="choice")
    choice.suggestions, choice.value = [{"value": "users.get"}], "get"
    choice.pick("users.get")
    assert choice.value == "users.get" == choice.box.value


def test_the_page_script_publishes_the_lists_of_the_boxes_on_show(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(typeahead, "_script", [])  # this test's own: none an earlier view used
    script = page_script()
    assert script is page_script() and script.layout.display == "none"  # one, drawing nothing
    box = TypeAhead(whole=True)
    box.suggestions = suggestions(REFS, "list")
    assert box.key in box.box._dom_classes  # the script finds the box by this class
    script.show("canvas-a", {box.key: box.listed()})
    script.show("canvas-b", {"wfb-ta-other": {"mode": "choice", "whole": False, "items": []}})
    assert script.lists[box.key] == {"mode": "reference", "whole": True, "items": box.suggestions}
    script.show("canvas-a", {})  # its form replaced: its lists go, the other's stay
    # (the page script is one per kernel: other tests' boxes may be listed too)
    assert box.key not in script.lists and "wfb-ta-other" in script.lists
