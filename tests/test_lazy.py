"""wfbench._lazy: a package's names imported on first use (PEP 562)."""

from __future__ import annotations

from typing import Any

import pytest

from wfbench._lazy import on_first_use


def test_a_listed_name_is_imported_once_and_kept() -> None:
    namespace: dict[str, Any] = {"__name__": "pkg"}
    getattr_ = on_first_use(namespace, {"dumps": "json"})
    import json

    assert getattr_("dumps") is json.dumps
    assert namespace["dumps"] is json.dumps  # later look-ups are plain reads


def test_an_unlisted_name_is_an_attribute_error_naming_the_package() -> None:
    getattr_ = on_first_use({"__name__": "pkg"}, {})
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'nope'"):
        getattr_("nope")
