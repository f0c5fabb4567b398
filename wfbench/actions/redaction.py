"""Secrets out of everything recorded: the forms a server echoes a secret back in.

A connector's secret (a token, a password, the ``user:password`` credential of
Basic auth) can come back from a server in many spellings: as sent, JSON-escaped
(``\\/``, ``\\"``, ``\\uXXXX`` for non-ASCII), wholly ``\\u``-escaped, URL-encoded
(``%XX``, ``+`` for spaces, either case of hex digits) and base64-encoded (standard
or URL-safe alphabet, with or without padding). :class:`Scrubber` replaces each of
them by ``***`` in any text, mapping key or list it is given, at any depth, and
:meth:`Scrubber.cut` shortens a text without leaving the start of a secret at the
cut. :func:`redact` masks the values of secret-looking keys (:data:`SECRET_MARKERS`)
in anything about to be recorded.

What it cannot see (README, "Secrets, crashes and sharing a store"): a secret
shorter than :data:`MIN_SECRET` characters (it would mask ordinary words), a
secret transformed in another way (hashed, encrypted, split across fields, inside
a larger base64 blob at another alignment, compressed), and a prefix shorter than
:data:`MIN_PREFIX` characters at a cut.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, Final

from pydantic import BaseModel

__all__ = [
    "MIN_PREFIX",
    "MIN_SECRET",
    "REDACTED",
    "SECRET_MARKERS",
    "Scrubber",
    "is_secret_name",
    "redact",
    "secret_forms",
]

#: What a secret is replaced by.
REDACTED: Final = "***"
#: Secrets shorter than this are not searched for (they would mask ordinary text).
MIN_SECRET: Final = 4
#: The shortest start of a secret :meth:`Scrubber.cut` masks at the end of a cut text.
MIN_PREFIX: Final = 3

#: A key whose name contains one of these (in any case) holds a secret.
SECRET_MARKERS: tuple[str, ...] = (
    "authorization",
    "token",
    "secret",
    "password",
    "passwd",
    "api-key",
    "api_key",
    "apikey",
    "cookie",
    "credential",
    "private-key",
    "private_key",
)


def is_secret_name(name: str) -> bool:
    """Whether a parameter or header called *name* holds a secret."""
    lowered = name.lower()
    return any(marker in lowered for marker in SECRET_MARKERS)


def redact(value: Any) -> Any:
    """A deep copy of *value* with the values of secret-looking keys replaced by ``"***"``.

    Mappings, lists and tuples are walked at any depth (a pydantic model is
    dumped first); a key is secret when :func:`is_secret_name` says so. A
    ``null`` secret stays ``null``: there is nothing to hide.
    """
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", by_alias=True)
    if isinstance(value, Mapping):
        return {
            key: (
                REDACTED
                if isinstance(key, str) and is_secret_name(key) and item is not None
                else redact(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, tuple):
        return tuple(redact(item) for item in value)
    return copy.deepcopy(value)


def _json_forms(secret: str) -> set[str]:
    forms = {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    return forms | {form.replace("/", "\\/") for form in forms}


def _b64_forms(secret: str) -> set[str]:
    raw = secret.encode("utf-8")
    forms = {base64.b64encode(raw).decode("ascii"), base64.urlsafe_b64encode(raw).decode("ascii")}
    return forms | {form.rstrip("=") for form in forms}


def _url_forms(secret: str) -> set[str]:
    return {
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote(secret),
        urllib.parse.quote_plus(secret),
        urllib.parse.quote_plus(secret, safe="/"),
    }


def secret_forms(secret: str) -> tuple[set[str], set[str]]:
    """The spellings of ``secret`` to mask: (case-sensitive ones, ones whose hex digits
    may come in either case).

    One encoding (JSON string escapes, all ``\\u``, URL, base64), then JSON escapes
    once more over any of them: a server that echoes the JSON it was sent inside a JSON
    string escapes twice."""
    once = (
        {secret, "".join(f"\\u{ord(c):04x}" for c in secret)}
        | _json_forms(secret)
        | _url_forms(secret)
        | _b64_forms(secret)
    )
    forms = set(once)
    for form in once:
        forms |= _json_forms(form)
    hexed = {f for f in forms if "\\u" in f or "%" in f}
    return forms - hexed, hexed


class Scrubber:
    """Masks every form of the given secrets (those shorter than :data:`MIN_SECRET`
    characters are ignored)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        exact: set[str] = set()
        any_case: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET:
                forms, hex_forms = secret_forms(secret)
                exact |= forms
                any_case |= hex_forms
        self._forms = sorted(exact | any_case, key=len, reverse=True)
        self._pattern: re.Pattern[str] | None = None
        if self._forms:
            longest_first = sorted(exact, key=len, reverse=True)
            parts = [re.escape(f) for f in longest_first]
            parts += [f"(?i:{re.escape(f)})" for f in sorted(any_case, key=len, reverse=True)]
            self._pattern = re.compile("|".join(parts))

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, value: str) -> str:
        """``value`` with every form of every secret replaced by ``***``."""
        if self._pattern is None:
            return value
        return self._pattern.sub(REDACTED, value)

    def __call__(self, value: Any) -> Any:
        """A copy of ``value`` with secrets masked in every string, key included."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self(k): self(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self(item) for item in value)
        return value

    def cut(self, value: str, limit: int) -> str:
        """``value`` masked, then shortened to ``limit`` characters; a start of a secret
        left at the end (at least :data:`MIN_PREFIX` characters) is masked too."""
        text = self.text(value)
        if len(text) <= limit:
            return self._mask_tail(text)
        return self._mask_tail(text[:limit])

    def _mask_tail(self, text: str) -> str:
        lowered = text.lower()
        for form in self._forms:
            for size in range(min(len(form) - 1, len(text)), MIN_PREFIX - 1, -1):
                start = form[:size]
                if text.endswith(start) or lowered.endswith(start.lower()):
                    return text[: len(text) - size] + REDACTED
        return text
