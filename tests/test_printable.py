"""wfbench.printable: text made safe to print on a terminal."""

from __future__ import annotations

from wfbench.printable import printable


def test_plain_text_is_unchanged() -> None:
    assert printable("Ada Lovelace — naïve café 日本") == "Ada Lovelace — naïve café 日本"


def test_control_bidi_and_surrogates_are_escaped() -> None:
    assert printable("a\x1b[31mb") == "a\\x1b[31mb"
    assert printable("evil\u202etxt") == "evil\\u202etxt"
    assert printable("x\ud800") == "x\\ud800"
    assert printable("one\ntwo") == "one\\ntwo"


def test_newlines_can_be_kept() -> None:
    assert printable("one\ntwo\tthree", keep_newlines=True) == "one\ntwo\\tthree"
