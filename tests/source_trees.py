"""``ast.parse`` for the tests that read wfbench's own source (contracts, layout, errors).

CPython 3.11's AST builder keeps its recursion depth in state shared by threads: an
``ast.parse`` running while another thread of the process builds a tree (a library parsing
docstrings, a run left by an earlier test) can fail with ``SystemError: AST constructor
recursion depth mismatch``. A file's tree does not depend on that moment, so the parse is
simply made again.
"""

from __future__ import annotations

import ast


def parse(text: str, filename: str = "<unknown>") -> ast.Module:
    for attempt in range(10):
        try:
            return ast.parse(text, filename=filename)
        except SystemError as exc:
            if "recursion depth mismatch" not in str(exc) or attempt == 9:
                raise
    raise AssertionError("unreachable")
