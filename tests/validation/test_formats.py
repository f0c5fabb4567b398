"""wfbench.validation.formats: the format checks an input schema may ask for."""

from __future__ import annotations

import pytest

from wfbench.validation.formats import FORMATS


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("email", "ada@example.org", "ada"),
        ("ipv4", "10.0.0.1", "10.0.0.300"),
        ("date", "2026-02-28", "2026-02-30x"),
        ("uri", "https://example.org/a?b=1", "not a uri"),
        ("iri", "https://例え.jp/パス", "://nope"),
        ("uri-template", "/users/{id}{?q*}", "/users/{id"),
        ("duration", "P1DT2H", "P1H"),
        ("regex", "^a+$", "a("),
        ("hostname", "example.org", "a" * 254),
    ],
)
def test_each_format_accepts_and_refuses(fmt: str, good: str, bad: str) -> None:
    assert FORMATS.conforms(good, fmt)
    assert not FORMATS.conforms(bad, fmt)


def test_non_text_passes_and_unknown_formats_are_annotations() -> None:
    assert FORMATS.conforms(5, "uri")
    assert FORMATS.conforms("anything", "no-such-format")
