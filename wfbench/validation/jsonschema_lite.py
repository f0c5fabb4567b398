"""``jsonschema`` without the second its optional format checkers cost at import.

``jsonschema`` registers checkers for some formats only when an optional package
is installed (Jupyter's dependencies install them), and imports those packages
at once: ``rfc3987_syntax`` builds a Lark grammar (about a second),
``isoduration`` and ``rfc3986_validator`` add a tenth more; that was paid on
every ``import wfbench``, for formats almost no input schema uses. This module
imports ``jsonschema`` with those packages hidden, then adds the same checkers
to :data:`FORMAT_CHECKER` so that each imports its package on its first call.
Formats are checked as before; only the cost moves to the first value checked
against one of them.

If ``jsonschema`` was imported before wfbench (a notebook that imported it
itself), nothing is hidden and its own checkers are used.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import Any

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
finally:
    for _name in _hidden:
        if sys.modules.get(_name, 0) is None:
            del sys.modules[_name]

#: The draft 2020-12 format checker, with the optional formats whose packages are installed.
FORMAT_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def _iri(rule: str) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        from rfc3987_syntax import is_valid_syntax  # type: ignore[import-untyped]

        return bool(is_valid_syntax(rule, value))

    return check


def _uri(rule: str) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        from rfc3986_validator import validate_rfc3986  # type: ignore[import-untyped]

        return bool(validate_rfc3986(value, rule=rule))

    return check


def _duration(value: str) -> bool:
    import isoduration  # type: ignore[import-untyped]

    try:
        isoduration.parse_duration(value)
    except isoduration.DurationParsingException:
        return False
    return value.endswith(tuple("DMYWHMS"))  # as jsonschema does


_LAZY: dict[str, tuple[str, Callable[[str], bool]]] = {
    "iri": ("rfc3987_syntax", _iri("iri")),
    "iri-reference": ("rfc3987_syntax", _iri("iri_reference")),
    "uri": ("rfc3986_validator", _uri("URI")),
    "uri-reference": ("rfc3986_validator", _uri("URI_reference")),
    "duration": ("isoduration", _duration),
}


def _register(fmt: str, check: Callable[[str], bool]) -> None:
    def checker(instance: Any) -> bool:
        return True if not isinstance(instance, str) else check(instance)

    FORMAT_CHECKER.checks(fmt, raises=ValueError)(checker)


for _fmt, (_package, _check) in _LAZY.items():
    if _fmt not in FORMAT_CHECKER.checkers and importlib.util.find_spec(_package) is not None:
        _register(_fmt, _check)

__all__ = ["FORMAT_CHECKER", "jsonschema"]
