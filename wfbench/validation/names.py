"""What a workflow name may hold: text a person reads, nothing that hides or reorders it.

A name is shown in lists, terminals, logs and HTML, and used to find the workflow. Control
characters (NUL, newlines, escapes, C1), line and paragraph separators, and bidirectional
controls (which make ``evil<U+202E>txt.exe`` read as something else) and invisible format
characters (zero-width space, BOM) are refused, each with
its position, so two names that look the same are not two workflows.
"""

from __future__ import annotations

import re
import unicodedata

from wfbench import pointers
from wfbench.validation.issues import Issue

# The shape of a store's workflow id (``wf_`` and 10 hex digits): a name may not have it,
# so a reference (a CLI argument, an API path) is never both one workflow's id and
# another's name.
_ID_SHAPE = re.compile(r"wf_[0-9a-f]{10}")
# Zero-width (non-)joiners shape emoji and several scripts (Persian, Indic): allowed.
_JOINERS = frozenset("\u200c\u200d")
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
        elif category == "Cf" and char not in _JOINERS:
            found.setdefault("an invisible format character (zero-width space, BOM…)", index)
    issues = [
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
    if _ID_SHAPE.fullmatch(name.strip().lower()):
        message = (
            f"the name {name.strip()!r} has the shape of a workflow id (wf_ and 10 hex "
            "digits), so references to it would be ambiguous; choose a descriptive name"
        )
        issues.append(
            Issue.make("error", "name.invalid", None, "name", message, pointers.build(["name"]))
        )
    return issues


__all__ = ["name_issues"]
