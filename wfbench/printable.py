"""Text shown to a person, made safe to print: one rule for every face."""

from __future__ import annotations

from typing import Any


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control characters, bidi and other invisible format characters and
    lone surrogates escaped (``\\x1b``, ``\\u202e``, ``\\ud800``), so a file name, a run's
    message or another program's command line cannot drive a terminal or break a print.
    ``keep_newlines`` leaves line breaks as they are."""
    escaped = "".join(
        c
        if c.isprintable() or c == " " or (keep_newlines and c == "\n")
        else c.encode("unicode_escape").decode()
        for c in text
    )
    return escaped.encode("utf-8", "backslashreplace").decode("utf-8")


class SafeStream:
    """A text stream that passes everything written through :func:`printable` (line breaks
    kept): what the CLI prints of a run's input, output, errors or names cannot drive the
    terminal (ESC, CR, bidi). ``raw`` is the stream itself, for the CLI's own control
    characters (a progress line rewritten with ``\\r``)."""

    def __init__(self, raw: Any) -> None:
        self.raw: Any = raw.raw if isinstance(raw, SafeStream) else raw

    def write(self, text: str) -> int:
        return int(self.raw.write(printable(text, keep_newlines=True)))

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding …
        return getattr(self.raw, name)
