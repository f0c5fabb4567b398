"""wfbench.expressions.syntax: positions of nodes in the field's text."""

from __future__ import annotations

import ast

from wfbench.expressions.syntax import Code, char_offset


def test_char_offset_counts_characters_not_utf8_bytes() -> None:
    code = "'é' + x"
    assert char_offset(code, 1, len("'é' + ".encode())) == 6
    assert char_offset(code, 1, 6, in_bytes=False) == 6


def test_char_offset_finds_later_lines_and_clamps() -> None:
    code = "a +\r\nb"
    assert char_offset(code, 2, 0) == 5
    assert char_offset(code, 9, 0) == 5  # past the last line: the last line
    assert char_offset("ab", 1, 99, in_bytes=False) == 2


def test_an_error_is_placed_at_its_node_in_the_whole_text() -> None:
    text = "Hello {{ user.name }}"
    source = " user.name "
    tree = ast.parse(source.strip(), mode="eval")
    code = Code(source, 6, tree, _text=text, _base=9)
    attribute = tree.body
    assert isinstance(attribute, ast.Attribute)
    assert code.position_of(attribute) == text.index("name")
    error = code.error_at("no such field", attribute)
    assert error.position == text.index("name")
