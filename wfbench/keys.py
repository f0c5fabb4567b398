"""Keys that admit a caller (the HTTP API's keys, the class board's learner keys): how
they are kept. One rule: a key is stored only as its SHA-256 hash, never as given."""

from __future__ import annotations

import hashlib

__all__ = ["hash_key"]


def hash_key(key: str) -> str:
    """The hash a key is stored and looked up by (any text, lone surrogates included)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
