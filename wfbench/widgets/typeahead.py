"""The type-ahead text box: references that fit a field, with their sample values.

:class:`TypeAhead` is a text box (or text area) with a list under it, drawn by a
small front end of its own (``typeahead.js``, through ``anywidget``: ipywidgets'
``Text`` cannot tell where its cursor is, nor show a list of its own). In a
form's field (``mode="reference"``) the list offers only the references that fit
the field (:func:`suggestions`: the typed checks' own rule, so a reference picked
there never turns the node red), each with its kind and its sample value; it
opens on an empty field, after ``{{``, on Ctrl+Space and on the ``{ }`` button,
and filters as one types. A pick puts ``{{ ref }}`` at the cursor, replacing the
expression the cursor is in; in a field that takes one expression (a condition,
a loop's items, a number) it replaces the whole value. ``mode="choice"`` offers
choices instead (the *Add a step* panel's actions) and a pick sets the value.

Keyboard only: type to filter, arrows to move, Enter or Tab to pick, Escape to
close. The value reaches the kernel on a pick, on Enter and when the box loses
focus, as a ``Text`` with ``continuous_update=False`` does; the code twin is
``value`` (and :meth:`pick`, what a pick does).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import anywidget
import traitlets as t

from wfbench.validation import Kind, fits
from wfbench.widgets.picker import is_placeholder

_HERE = resources.files("wfbench.widgets")


class TypeAhead(anywidget.AnyWidget):
    """A text box with a type-ahead list (see the module docstring)."""

    _esm = (_HERE / "typeahead.js").read_text(encoding="utf-8")
    _css = (_HERE / "typeahead.css").read_text(encoding="utf-8")

    value = t.Unicode("").tag(sync=True)
    placeholder = t.Unicode("").tag(sync=True)
    label = t.Unicode("").tag(sync=True)
    """The box's accessible name (``aria-label``): what a screen reader, or a test, calls it."""
    disabled = t.Bool(False).tag(sync=True)
    mode = t.Unicode("reference").tag(sync=True)
    """``reference``: a pick inserts ``{{ ref }}``; ``choice``: a pick sets the value."""
    whole = t.Bool(False).tag(sync=True)
    """A pick replaces the whole value (a field that takes one expression)."""
    multiline = t.Bool(False).tag(sync=True)
    rows = t.Int(3).tag(sync=True)
    suggestions = t.List(t.Dict()).tag(sync=True)
    """What the list offers: ``{"value", "kind", "text"}`` (``text``: the sample value, or a
    choice's description)."""

    def offered(self) -> list[str]:
        """The values the list offers (all of them: typing only filters these)."""
        return [str(s["value"]) for s in self.suggestions]

    def pick(self, value: str, caret: int | None = None) -> None:
        """What picking ``value`` from the list does, the cursor at ``caret`` (default: the
        end of the box), as the front end does it."""
        if value not in self.offered():
            raise KeyError(f"{value!r} is not offered here; offered: {self.offered()}")
        if self.mode == "choice":
            self.value = value
            return
        text = str(self.value)
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


__all__ = ["TypeAhead", "replaced_span", "sample_text", "suggestions"]
