"""The ``format`` checks an input schema may ask for, each linear in the input.

jsonschema's default checker loads every optional library it finds; some are not
linear (``rfc3987_syntax`` parses IRIs with an Earley grammar, seconds on a few kB,
and builds it at import). :data:`FORMATS` lists its checks one by one instead:

* kept from jsonschema (checked linear): ``email``, ``idn-email`` (an ``@``),
  ``ipv4``, ``ipv6`` (``ipaddress``), ``date``, ``time``, ``date-time`` (RFC 3339
  regexes without nested repetition), ``uuid``, ``json-pointer``,
  ``relative-json-pointer``;
* ``hostname``, ``idn-hostname``: jsonschema's, after a length bound (a DNS name
  has at most 253 characters), so ``idna``'s punycode never sees long labels;
* on RE2 (linear whatever the input): ``uri``, ``uri-reference`` (the
  ``rfc3986_validator`` grammar, compiled by RE2), ``iri``, ``iri-reference``
  (the same, after percent-encoding non-ASCII, RFC 3987 §3.1), ``uri-template``
  (RFC 6570), ``duration`` (RFC 3339 appendix A), ``regex`` (a pattern RE2 accepts,
  as ``pattern`` itself).

A format not listed is an annotation, as draft 2020-12 says by default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import re2

from wfbench.validation.jsonschema_lite import jsonschema

_HOSTNAME_MAX = 253
_DEFAULT = jsonschema.Draft202012Validator.FORMAT_CHECKER
_KEPT = (
    "email",
    "idn-email",
    "ipv4",
    "ipv6",
    "date",
    "time",
    "date-time",
    "uuid",
    "json-pointer",
    "relative-json-pointer",
)


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = 8 << 20
    return options


def _unverbose(pattern: str) -> str:
    """A ``re.VERBOSE`` pattern without its comments and layout, for RE2."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class or ch == "[":
            in_class = ch != "]" if in_class else True
            out.append(ch)
        elif ch == "#":
            end = pattern.find("\n", i)
            i = len(pattern) if end < 0 else end
            continue
        elif not ch.isspace():
            out.append(ch)
        i += 1
    return "".join(out)


class _Rfc3986:
    """The RFC 3986 grammar of ``rfc3986_validator``, compiled by RE2 on first use (its
    import compiles Python regexes that a run without a ``uri`` format never needs)."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.program: Any = None

    def match(self, text: str) -> Any:
        if self.program is None:
            import rfc3986_validator

            pattern = getattr(rfc3986_validator, self.rule).pattern
            self.program = re2.compile(_unverbose(pattern), _options())
        return self.program.match(text)


_URI = _Rfc3986("URI_RE_COMP")
_URI_REF = _Rfc3986("URI_REF_RE_COMP")
_PCT = "%[0-9A-Fa-f]{2}"
_VARCHAR = f"(?:[A-Za-z0-9_]|{_PCT})"
_VARSPEC = rf"{_VARCHAR}(?:\.?{_VARCHAR})*(?::[1-9][0-9]{{0,3}}|\*)?"
_LITERAL = rf"(?:[^\x00-\x20\"'%<>\\^`{{|}}\x7f]|{_PCT})"
_URI_TEMPLATE = re2.compile(
    rf"^(?:{_LITERAL}|\{{[+#./;?&=,!@|]?{_VARSPEC}(?:,{_VARSPEC})*\}})*$", _options()
)
_TIME = r"T(?:\d+H(?:\d+M(?:\d+S)?)?|\d+M(?:\d+S)?|\d+S)"
_DATE = r"(?:\d+D|\d+M(?:\d+D)?|\d+Y(?:\d+M(?:\d+D)?)?)"
_DURATION = re2.compile(rf"^P(?:\d+W|{_DATE}(?:{_TIME})?|{_TIME})$", _options())


def _matches(program: Any) -> Callable[[object], bool]:
    def check(instance: object) -> bool:
        return not isinstance(instance, str) or program.match(instance) is not None

    return check


def _as_uri(iri: str) -> str:
    """An IRI mapped to a URI (RFC 3987 §3.1): non-ASCII percent-encoded as UTF-8."""
    return "".join(
        c if c.isascii() else "".join(f"%{b:02X}" for b in c.encode("utf-8", "replace"))
        for c in iri
    )


def _iri(program: Any) -> Callable[[object], bool]:
    def check(instance: object) -> bool:
        return not isinstance(instance, str) or program.match(_as_uri(instance)) is not None

    return check


def _hostname(name: str) -> Callable[[object], bool]:
    inner = _DEFAULT.checkers[name][0]

    def check(instance: object) -> bool:
        if isinstance(instance, str) and len(instance.rstrip(".")) > _HOSTNAME_MAX:
            return False
        return bool(inner(instance))

    return check


def _regex(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        re2.compile(instance, _options())
    except (re2.error, UnicodeError):
        return False
    return True


def _build() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    for name in (n for n in _KEPT if n in _DEFAULT.checkers):  # some need optional libraries
        function, raises = _DEFAULT.checkers[name]
        checker.checks(name, raises)(function)
    for name in ("hostname", "idn-hostname"):
        if name in _DEFAULT.checkers:
            checker.checks(name, _DEFAULT.checkers[name][1])(_hostname(name))
    checker.checks("uri")(_matches(_URI))
    checker.checks("uri-reference")(_matches(_URI_REF))
    checker.checks("iri")(_iri(_URI))
    checker.checks("iri-reference")(_iri(_URI_REF))
    checker.checks("uri-template")(_matches(_URI_TEMPLATE))
    checker.checks("duration")(_matches(_DURATION))
    checker.checks("regex")(_regex)
    return checker


FORMATS = _build()
"""The format checker every input check uses (draft 2020-12 names)."""

__all__ = ["FORMATS"]
