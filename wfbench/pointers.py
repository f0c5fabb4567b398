"""JSON pointers (RFC 6901): the one place that builds and reads them.

Issues, rejected run inputs and API errors all say *where* with a pointer such
as ``/steps/0/with/email``. Keys are user text and may hold ``/`` or ``~``, so
every token is escaped (``~`` as ``~0``, ``/`` as ``~1``); building pointers
anywhere else by hand is how unescaped ones crept in.
"""

from __future__ import annotations

from collections.abc import Iterable

Token = str | int


def escape(token: Token) -> str:
    """One reference token as it appears in a pointer (``a/b`` gives ``a~1b``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """The key a pointer token stands for (``a~1b`` gives ``a/b``)."""
    return token.replace("~1", "/").replace("~0", "~")


def build(path: Iterable[Token]) -> str:
    """The pointer to ``path`` (keys and list indexes); ``""`` is the whole document."""
    return "".join("/" + escape(token) for token in path)


def join(base: str, *tokens: Token) -> str:
    """``base`` (already a pointer) extended by ``tokens``."""
    return base + build(tokens)


def parse(pointer: str) -> list[str]:
    """The unescaped tokens of ``pointer``; ``""`` gives ``[]``.

    Raises :class:`ValueError` for text that is not a pointer (it must be empty
    or start with ``/``). Tokens stay text: whether ``0`` is a key or an index
    depends on the document it is applied to.
    """
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"a JSON pointer is empty or starts with '/', not {pointer[:20]!r}")
    return [unescape(token) for token in pointer[1:].split("/")]


__all__ = ["Token", "build", "escape", "join", "parse", "unescape"]
