"""What an expression may read at one node: what the type-ahead reference fields list.

The rules are validation's, and live there only
(:func:`wfbench.validation.scope.references_in_scope`): offering only what
validation accepts means an inserted reference never turns a node red. This
module keeps the widgets' import path.
"""

from __future__ import annotations

from wfbench.validation import references_in_scope, typed_references

__all__ = ["references_in_scope", "typed_references"]
