"""wfbench.keys: a key is kept only as its SHA-256 hash."""

from __future__ import annotations

import hashlib

from wfbench.keys import hash_key


def test_a_key_is_hashed_with_sha256() -> None:
    assert hash_key("secret") == hashlib.sha256(b"secret").hexdigest()
    assert hash_key("secret") != hash_key("Secret")


def test_any_text_hashes_even_a_lone_surrogate() -> None:
    digest = hash_key("k\ud800")
    assert len(digest) == 64
    assert digest != hash_key("k")
