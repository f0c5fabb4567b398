"""``{{ … }}`` expressions: a small, safe subset of Python expression syntax.

Workflow files are shared, imported and reviewed, so an expression must never reach
Python objects beyond the plain data it is given, nor use unbounded time or memory.
That is why nothing here calls ``eval``: each field is parsed once with
``ast.parse(mode="eval")``, every node is checked against an allow-list, and the tree
is then interpreted over plain data (mappings, lists, text, numbers). Every size that
could grow (integers, text, lists, whole built values) is checked *before* the work is
done, so ``9 ** 9 ** 9`` is refused in microseconds.

Nothing but :class:`~wfbench.errors.ExpressionError` escapes parsing or evaluation, and
each error carries the 0-based character position in the whole field text.

The package, by concern:

* :mod:`~wfbench.expressions.values`: limits, kinds, bounds, text, comparison
* :mod:`~wfbench.expressions.functions`: the function table
* :mod:`~wfbench.expressions.syntax`: a parsed expression and its positions
* :mod:`~wfbench.expressions.check`: the allow-list, and the references an expression reads
* :mod:`~wfbench.expressions.evaluate`: the interpreter
* :mod:`~wfbench.expressions.parse`: templates (text and ``{{ … }}``), parsed once and cached
"""

from __future__ import annotations

from wfbench.expressions.check import Reference
from wfbench.expressions.functions import FUNCTIONS
from wfbench.expressions.parse import Expression, Template, is_template, parse_template, render
from wfbench.expressions.values import MAX_DEPTH, MAX_INT_BITS, MAX_LIST, MAX_SOURCE, MAX_STRING

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_INT_BITS",
    "MAX_LIST",
    "MAX_SOURCE",
    "MAX_STRING",
    "Expression",
    "Reference",
    "Template",
    "is_template",
    "parse_template",
    "render",
]
