"""``jsonschema`` without the second its optional format checkers cost at import.

``jsonschema`` registers checkers for some formats only when an optional package
is installed (Jupyter's dependencies install them), and imports those packages
at once: ``rfc3987_syntax`` builds a Lark grammar (about a second),
``isoduration`` and ``rfc3986_validator`` add a tenth more; that was paid on
every ``import wfbench``, for formats almost no input schema uses. This module
imports ``jsonschema`` with those packages hidden; wfbench checks formats with its
own linear-time table (:mod:`wfbench.validation.formats`), not with those checkers.

Import ``jsonschema`` (and its ``ValidationError``) from here, never directly: the first
import decides. If ``jsonschema`` was imported before wfbench (a notebook that imported it
itself), nothing is hidden and its own checkers are used.
"""

from __future__ import annotations

import sys

_HIDDEN: tuple[str, ...] = ("rfc3987_syntax", "isoduration", "rfc3986_validator")


def _hide() -> list[str]:
    if "jsonschema" in sys.modules:
        return []
    hidden = [name for name in _HIDDEN if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # an ImportError for jsonschema
    return hidden


_hidden = _hide()
try:
    import jsonschema
    from jsonschema.exceptions import ValidationError
finally:
    for _name in _hidden:
        if sys.modules.get(_name, 0) is None:
            del sys.modules[_name]

__all__ = ["ValidationError", "jsonschema"]
