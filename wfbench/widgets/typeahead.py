"""Type-ahead boxes: references that fit a field, with their sample values; and the page
script that draws their lists (and zooms a graph on Ctrl+wheel).

A :class:`TypeAhead` is an ordinary ipywidgets ``Text`` (or ``Textarea``, ``box``)
marked with a class of its own; its list (:attr:`TypeAhead.suggestions`) is
carried into the page by the view's :class:`ListsHolder`, a hidden ordinary HTML
widget, and drawn by the kernel's one :class:`PageScript` (:func:`page_script`),
a small front end of ours (``typeahead.js``, through ``anywidget``) that every
view displays beside itself. In the browser it listens on the page: a marked
box that gets the focus, or is typed into, shows its list under it. In a
form's field (``mode="reference"``) the list offers only the references that
fit the field (:func:`suggestions`: the typed checks' own rule, so a reference
picked there never turns the node red), each with its kind and its sample
value; it opens on an empty field, after ``{{``, on Ctrl+Space, and filters as
one types. A pick puts ``{{ ref }}`` at the cursor, replacing the expression the
cursor is in; in a field that takes one expression (a condition, a loop's items,
a number) it replaces the whole value. ``mode="choice"`` offers choices instead
(the *Add a step* panel's actions) and a pick sets the value. Keyboard only:
type to filter, arrows to move, Enter or Tab to pick, Escape to close.

Why a page script and not a widget per box: a view of a custom widget is built
asynchronously (its module is loaded first), and a form replaced at once (code
twins in one cell) would leave the browser adding views to a box already gone
("Could not add child view to box"). Ordinary ``Text`` boxes are built at once;
the one script is displayed as an output of its own, never inside a box.

Why the lists do not travel on the script's own model: anywidget gives a model a fixed
2 s to load its front end, and after a slower start (a busy page, a slow machine) it
drops every message from the kernel to that model for good, so a list sent there would
never arrive. An HTML widget has no such limit: the lists reach the page as the forms do.

The code twin of a pick is :meth:`TypeAhead.pick` (the cursor at the end).
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from typing import Any

import anywidget
import ipywidgets as w
import traitlets as t

from wfbench.validation import Kind, fits
from wfbench.widgets.picker import is_placeholder

_HERE = resources.files("wfbench.widgets")


class PageScript(anywidget.AnyWidget):
    """The page-wide listeners (see the module docstring); draws nothing."""

    _esm = (_HERE / "typeahead.js").read_text(encoding="utf-8")
    _css = (_HERE / "typeahead.css").read_text(encoding="utf-8")

    step = t.Float(1.15).tag(sync=True)
    """The zoom factor of one notch of Ctrl+wheel over a graph."""
    frontend = t.Unicode("").tag(sync=True)
    """What page shows the script, as it answers when first drawn: ``jupyterlab``
    (JupyterLab's main area, where a view can have a tab of its own), or ``other``
    (Notebook 7, Voilà, …); empty until a page answers (never, without one)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(layout=w.Layout(display="none"), **kwargs)
        self._waiting: list[Callable[[str], None]] = []
        self.observe(self._answered, names="frontend")

    def when_answered(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(frontend)`` once a page has said what it is (at once if it has)."""
        if self.frontend:
            callback(self.frontend)
        else:
            self._waiting.append(callback)

    def _answered(self, change: Mapping[str, Any]) -> None:
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            callback(str(change["new"]))


class ListsHolder:
    """The type-ahead lists of one view's boxes on show, in the page: a hidden HTML widget
    (``widget``, marked ``wfb-ta-lists``) whose text is the lists as JSON, box key ->
    ``{"mode", "whole", "items"}``; the page script reads it when a box wants its list."""

    def __init__(self) -> None:
        self.widget = w.HTML(layout=w.Layout(display="none"))
        self.widget.add_class("wfb-ta-lists")

    def show(self, lists: Mapping[str, Any]) -> None:
        """Publish ``lists`` (the boxes of the form or panel on show), replacing the last."""
        text = json.dumps(dict(lists), ensure_ascii=False, default=str)
        self.widget.value = f"<div>{html.escape(text, quote=False)}</div>"


_script: list[PageScript] = []


def page_script() -> PageScript:
    """The kernel's page script (made on first use)."""
    if not _script or _script[0].comm is None:
        _script[:] = [PageScript()]
    return _script[0]


class TypeAhead:
    """A text box (``box``) with a type-ahead list; ``value`` is the box's value."""

    def __init__(
        self,
        *,
        mode: str = "reference",
        whole: bool = False,
        multiline: bool = False,
        placeholder: str = "",
        description: str = "",
        layout: w.Layout | None = None,
    ) -> None:
        self.key = f"wfb-ta-{uuid.uuid4().hex[:16]}"
        self.mode = mode
        self.whole = whole
        """A pick replaces the whole value (a field that takes one expression)."""
        self.multiline = multiline
        self.suggestions: list[dict[str, str]] = []
        """What the list offers: ``{"value", "kind", "text"}`` (``text``: the sample value,
        or a choice's description)."""
        make = w.Textarea if multiline else w.Text
        self.box: Any = make(
            continuous_update=False,
            placeholder=placeholder,
            description=description,
            style={"description_width": "initial"},
            layout=layout or w.Layout(width="100%"),
        )
        if multiline:
            self.box.layout.height = "64px"
        self.box.add_class("wfb-ta-box")
        self.box.add_class(self.key)

    @property
    def value(self) -> str:
        return str(self.box.value)

    @value.setter
    def value(self, text: str) -> None:
        self.box.value = text

    def observe(self, callback: Callable[[Any], None]) -> None:
        self.box.observe(callback, names="value")

    def listed(self) -> dict[str, Any]:
        """The list as the page script publishes it."""
        return {"mode": self.mode, "whole": self.whole, "items": self.suggestions}

    def offered(self) -> list[str]:
        """The values the list offers (all of them: typing only filters these)."""
        return [str(s["value"]) for s in self.suggestions]

    def pick(self, value: str, caret: int | None = None) -> None:
        """What picking ``value`` from the list does, the cursor at ``caret`` (default: the
        end of the box), as the page script does it."""
        if value not in self.offered():
            raise KeyError(f"{value!r} is not offered here; offered: {self.offered()}")
        if self.mode == "choice":
            self.value = value
            return
        text = self.value
        token = "{{ " + value + " }}"
        start, end = replaced_span(text, len(text) if caret is None else caret)
        if self.whole:
            start, end = 0, len(text)
        self.value = text[:start] + token + text[end:]


def replaced_span(text: str, caret: int) -> tuple[int, int]:
    """What a pick at ``caret`` replaces in ``text``: the ``{{ … }}`` the cursor is in, a lone
    placeholder (``{{ true }}``), words typed to filter the list in a box without ``{{`` —
    or nothing (the reference goes in at the cursor)."""
    before = text[:caret]
    opened, closed = before.rfind("{{"), before.rfind("}}")
    if opened >= 0 and opened > closed:
        after = text[caret:]
        end, nxt = after.find("}}"), after.find("{{")
        return opened, caret + end + 2 if end >= 0 and (nxt < 0 or end < nxt) else caret
    if is_placeholder(text) or "{{" not in text:
        return 0, len(text)
    return caret, caret


def sample_text(value: Any, limit: int = 48) -> str:
    """A sample value as the list shows it: compact JSON, cut to ``limit`` characters."""
    text = json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def suggestions(
    refs: Iterable[tuple[str, Kind]], wants: Kind, samples: Mapping[str, Any] | None = None
) -> list[dict[str, str]]:
    """The list of a field that takes ``wants``: every reference that fits, with its kind and
    (when ``samples`` has one) its sample value."""
    samples = samples or {}
    out = []
    for ref, kind in refs:
        if not fits(kind, wants):
            continue
        text = sample_text(samples[ref]) if ref in samples else ""
        out.append({"value": ref, "kind": "" if kind == "unknown" else kind, "text": text})
    return out


__all__ = [
    "ListsHolder",
    "PageScript",
    "TypeAhead",
    "page_script",
    "replaced_span",
    "sample_text",
    "suggestions",
]
