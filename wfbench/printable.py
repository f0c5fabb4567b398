"""Text shown to a person, made safe to print: one rule for every face."""

from __future__ import annotations


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
