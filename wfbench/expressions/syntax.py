"""A parsed ``{{ … }}`` and where its nodes sit in the field's text.

:class:`Code` is what checking and evaluation need of an expression: its tree
and how to turn a node into a position in the whole field text (for errors).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from wfbench.errors import ExpressionError


def char_offset(code: str, lineno: int, col: int, *, in_bytes: bool = True) -> int:
    """Turn an ast (line, column) into a character offset in ``code``.

    Node columns count UTF-8 bytes on their line (SyntaxError columns count characters),
    so a line with ``é`` before the node would otherwise be off.
    """
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", code)]
    start = starts[min(max(lineno, 1), len(starts)) - 1]
    if not in_bytes:
        return min(start + col, len(code))
    line = code[start:].encode("utf-8", "surrogatepass")[:col]
    return start + len(line.decode("utf-8", "ignore"))


@dataclass(frozen=True)
class Code:
    """One parsed ``{{ … }}``; ``source`` is the text between the braces."""

    source: str
    offset: int
    tree: ast.Expression = field(repr=False, compare=False)
    _text: str = field(default="", repr=False, compare=False)  # the whole field text
    _base: int = field(default=0, repr=False, compare=False)  # where the parsed code starts

    def position_of(self, node: ast.AST) -> int:
        """The character offset of ``node`` in the field text (an attribute: of its name)."""
        line, column = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        position = self._base + char_offset(self.source.strip(), line, column)
        if isinstance(node, ast.Attribute) and node.end_lineno and node.end_col_offset:
            end = char_offset(self.source.strip(), node.end_lineno, node.end_col_offset)
            position = max(position, self._base + end - len(node.attr))
        return position

    def error_at(self, message: str, node: ast.AST) -> ExpressionError:
        """An :class:`ExpressionError` placed at ``node``."""
        return ExpressionError(message, position=self.position_of(node), source=self._text)
