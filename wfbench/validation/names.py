"""What a workflow name may hold: text a person reads, nothing that hides or reorders it.

A name is shown in lists, terminals, logs and HTML, and used to find the workflow. Control
characters (NUL, newlines, escapes, C1), line and paragraph separators, and bidirectional
controls (which make ``evil‮txt.exe`` read as something else) are refused, each with
its position, so two names that look the same are not two workflows.
"""

from __future__ import annotations

import unicodedata

from wfbench import pointers
from wfbench.validation.issues import Issue

# Bidirectional embeddings, overrides, isolates and marks.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def name_issues(name: str) -> list[Issue]:
    """One issue per kind of forbidden character in ``name`` (empty when it is fine)."""
    found: dict[str, int] = {}
    for index, char in enumerate(name):
        category = unicodedata.category(char)
        if char in _BIDI:
            found.setdefault("a bidirectional control character", index)
        elif category == "Cc":
            found.setdefault("a control character (NUL, newline, tab or escape)", index)
        elif category in ("Zl", "Zp"):
            found.setdefault("a line or paragraph separator", index)
    return [
        Issue.make(
            "error",
            "name.invalid",
            None,
            "name",
            f"the name holds {what} (U+{ord(name[at]):04X}) at character {at}; "
            "use plain printable text",
            pointers.build(["name"]),
        )
        for what, at in found.items()
    ]


__all__ = ["name_issues"]
