"""The type-ahead box's kernel side: what its list offers, and what a pick writes."""

from __future__ import annotations

import html
import json
import re

import pytest

from wfbench.widgets import typeahead
from wfbench.widgets.typeahead import (
    ListsHolder,
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


def test_the_lists_reach_the_page_in_an_html_widget_not_on_the_page_script(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """anywidget drops every message to a model that took over 2 s to start: the lists
    travel in an ordinary HTML widget, whose text the page script reads as JSON."""
    monkeypatch.setattr(typeahead, "_script", [])  # this test's own: none an earlier view used
    script = page_script()
    assert script is page_script() and script.layout.display == "none"  # one, drawing nothing
    assert "lists" not in script.keys  # nothing the kernel sends later goes through it
    box = TypeAhead(whole=True)
    box.suggestions = suggestions(REFS, "list")
    box.suggestions[0]["text"] = "<b>&amp; </div> ünï"  # a sample value as text, not markup
    assert box.key in box.box._dom_classes  # the script finds the box by this class
    holder = ListsHolder()
    assert "wfb-ta-lists" in holder.widget._dom_classes
    assert holder.widget.layout.display == "none"
    holder.show({box.key: box.listed()})

    def said() -> object:  # what the page reads: the text of the holder, as JSON
        text = re.sub(r"<[^>]*>", "", holder.widget.value)
        return json.loads(html.unescape(text))

    assert said() == {box.key: {"mode": "reference", "whole": True, "items": box.suggestions}}
    assert "<b>" not in holder.widget.value  # escaped: the page draws no markup from it
    holder.show({})  # its form replaced: its lists go
    assert said() == {}
