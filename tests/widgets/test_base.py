"""wfbench.widgets.base: views display through their root widget (in their own JupyterLab
tab once the page says it is JupyterLab); the small HTML helpers."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import ipywidgets as w
import pandas as pd
import pytest

from wfbench.widgets import typeahead
from wfbench.widgets.base import (
    View,
    badge,
    duration,
    for_notebook,
    message_html,
    plain,
    short_json,
    table_html,
    tabs_wanted,
    when,
)
from wfbench.workbench import Workbench


def test_views_display_as_their_root_widget(wb: Workbench) -> None:
    ov = wb.overview()
    bundle = ov._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ov.widget.model_id


def test_badges_colour_a_status_and_escape_it() -> None:
    assert "background:#38761d" in badge("succeeded") and ">succeeded<" in badge("succeeded")
    assert "background:#555555" in badge("<odd>") and "&lt;odd&gt;" in badge("<odd>")
    assert badge(None) == badge("") == badge(float("nan")) == "—"


def test_times_are_utc_and_durations_short() -> None:
    paris = timezone(timedelta(hours=2))
    assert when(datetime(2026, 1, 2, 14, 30, tzinfo=paris)) == "2026-01-02 12:30:00 UTC"
    assert when(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02 03:04:05 UTC"  # naive: stored UTC
    assert when("2026-01-02T03:04:05.123456+00:00") == "2026-01-02T03:04:05 UTC"
    assert when(None) == when(math.nan) == when(pd.NaT) == "—"
    assert when(pd.Timestamp("2026-01-02 03:04:05", tz=UTC)) == "2026-01-02 03:04:05 UTC"
    assert (duration(12.4), duration(1500), duration(None), duration(True)) == (
        "12 ms",
        "1.50 s",
        "—",
        "—",
    )
    assert duration(math.nan) == "—"


def test_short_json_and_plain_text() -> None:
    assert short_json({"a": "é"}) == '{"a": "é"}'
    cut = short_json(list(range(100)), limit=10)
    assert len(cut) == 10 and cut.endswith("…")
    assert plain(" <b>a &amp; b</b> ") == "a & b"


def test_messages_speak_to_the_notebook_not_the_cli() -> None:
    assert for_notebook("'x' is disabled: enable it (wfbench enable) to run it") == (
        "'x' is disabled: switch it on with the Enabled toggle next to Run workflow to run it"
    )
    assert for_notebook("no such run (run `wfbench runs`)") == "no such run"
    assert for_notebook('message: core.fail requires it: add it under "with"') == (
        "message: core.fail requires it: fill in its field"
    )
    assert for_notebook("/: 'email' is a required property") == "'email' is a required property"


def test_notices_and_tables_escape_what_they_show() -> None:
    assert message_html("") == ""
    assert message_html("<x>", "error") == '<span style="color:#cc0000">✖ &lt;x&gt;</span>'
    assert message_html("fine", "ok").startswith('<span style="color:#38761d">✔ ')
    table = table_html(["a<"], [["<i>1</i>"]])
    assert "a&lt;" in table and "&lt;i&gt;1&lt;/i&gt;" in table
    assert "<i>1</i>" in table_html(["a"], [["<i>1</i>"]], raw=True)


@pytest.mark.parametrize(
    ("value", "wanted"), [("1", True), (" Yes ", True), ("0", False), ("no", False)]
)
def test_tabs_are_forced_either_way_by_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, wanted: bool
) -> None:
    monkeypatch.setenv("WFBENCH_TABS", value)
    assert tabs_wanted() is wanted
    monkeypatch.delenv("WFBENCH_TABS")
    assert tabs_wanted() is None  # unset: as the page that shows the view answers


class Tiny(View):
    """The least view: a widget, a title."""

    def __init__(self) -> None:
        self.widget = w.HTML("tiny")

    @property
    def tab_title(self) -> str:
        return "wfbench: tiny"


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What views display (IPython's display, caught), with a fresh page script."""
    import IPython.display

    caught: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: caught.extend(objs))
    monkeypatch.setattr(typeahead, "_script", [])
    monkeypatch.delenv("WFBENCH_TABS", raising=False)
    return caught


def test_a_view_moves_to_its_own_tab_once_the_page_says_it_is_jupyterlab(
    shown: list[Any],
) -> None:
    first = Tiny()
    first._ipython_display_()
    script, holder = shown[-2:]
    assert script is typeahead.page_script() and first.tab is None  # no page has answered
    # until one does (never, under nbval), a line: the view is not drawn before the page
    # script has started, and then only once, where it stays
    assert first.widget not in holder.children and "opening" in holder.children[0].value
    script.frontend = "jupyterlab"  # the page script's answer, from the browser
    assert first.tab is not None and first.tab.title == "wfbench: tiny"
    assert "opened in its own tab" in holder.children[0].value  # the notebook says where
    assert shown[-1] is first.widget  # displayed inside the tab
    second = Tiny()
    second._ipython_display_()  # from now on, a tab at once
    assert second.tab is not None and "opened in its own tab" in shown[-1].value


def test_elsewhere_or_when_told_a_view_stays_inline(
    shown: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    view = Tiny()
    view._ipython_display_()
    typeahead.page_script().frontend = "other"  # Notebook 7, Voila
    assert view.tab is None and view.widget in shown[-1].children
    monkeypatch.setenv("WFBENCH_TABS", "0")
    monkeypatch.setattr(typeahead, "_script", [])
    typeahead.page_script().frontend = "jupyterlab"
    inline = Tiny()
    inline._ipython_display_()
    assert inline.tab is None and shown[-1] is inline.widget


def test_a_forced_tab_also_waits_for_the_page_script(
    shown: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``$WFBENCH_TABS=1`` decides where a view goes, not when: before the page script has
    answered nothing is drawn (a large graph drawn then made it miss anywidget's 2 s start);
    then the tab opens, whatever the page is."""
    monkeypatch.setenv("WFBENCH_TABS", "1")
    view = Tiny()
    view._ipython_display_()
    holder = shown[-1]
    assert view.tab is None and view.widget not in shown and "opening" in holder.children[0].value
    typeahead.page_script().frontend = "other"
    assert view.tab is not None and shown[-1] is view.widget
    assert "opened in its own tab" in holder.children[0].value
