"""wfbench.workbench.access: the façade's API keys (``wb.access``)."""

from __future__ import annotations

import pytest

from wfbench.errors import WfbenchError
from wfbench.workbench import Workbench


def test_a_key_is_created_listed_verified_and_revoked(wb: Workbench) -> None:
    key = wb.access.create_key("ci", role="editor")
    assert key and "ci" not in key
    (listed,) = [k for k in wb.access.list_keys() if k.name == "ci"]
    assert (listed.role, listed.revoked) == ("editor", False)
    verified = wb.access.verify_key(key)
    assert verified is not None and verified.name == "ci"
    assert wb.access.verify_key(key + "x") is None
    assert wb.access.revoke_key("ci").revoked
    assert wb.access.verify_key(key) is None


def test_the_default_role_is_runner(wb: Workbench) -> None:
    wb.access.create_key("plain")
    assert {k.name: k.role for k in wb.access.list_keys()}["plain"] == "runner"


def test_an_unknown_role_is_refused_naming_the_known_ones(wb: Workbench) -> None:
    with pytest.raises(WfbenchError, match="no API key role 'operator'; use one of viewer"):
        wb.access.create_key("x", role="operator")
    assert "x" not in {k.name for k in wb.access.list_keys()}
