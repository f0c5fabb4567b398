"""Names a package imports on first use (PEP 562), so importing it stays light.

A package lists ``{name: module}`` and binds ``__getattr__ = on_first_use(globals(),
table)``; the first ``package.name`` imports ``module``, keeps the value in the package's
namespace (later look-ups are plain attribute reads) and returns it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def on_first_use(namespace: dict[str, Any], table: Mapping[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of the package whose globals are ``namespace``."""
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
