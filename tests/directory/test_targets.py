"""wfbench.directory.targets: a run's ``directory=`` name, and what SCIM cannot do."""

from __future__ import annotations

import pytest

from wfbench.actions.context import Connector
from wfbench.directory.targets import EMBEDDED, ScimTarget, resolve, unsupported_steps
from wfbench.errors import UnknownDirectory
from wfbench.model import Workflow

CONNECTORS = {
    "corp": Connector(
        "corp", "https://scim.example.com:8443/v2", "bearer", token_env="T", kind="scim"
    ),
    "api": Connector("api", "https://api.example.com"),
}


def test_no_name_is_the_embedded_directory_and_a_scim_connector_its_target() -> None:
    assert resolve(None, CONNECTORS) is None and resolve(EMBEDDED, CONNECTORS) is None
    target = resolve("corp", CONNECTORS)
    assert target == ScimTarget("corp", "https://scim.example.com:8443/v2", "T", 30.0)
    assert target is not None and target.host == "scim.example.com:8443"


def test_a_name_that_is_no_scim_connector_is_refused_with_the_ones_there_are() -> None:
    with pytest.raises(UnknownDirectory, match=r"'api' is an HTTP connector.*\(corp\)"):
        resolve("api", CONNECTORS)
    with pytest.raises(UnknownDirectory, match=r"'nope' is no connector.*\(corp\)"):
        resolve("nope", CONNECTORS)
    with pytest.raises(UnknownDirectory, match="none yet: add one with kind='scim'"):
        resolve("corp", {})


def test_steps_scim_cannot_do_are_named_wherever_they_are() -> None:
    workflow = Workflow.model_validate(
        {
            "name": "w",
            "run_as": "administrator",
            "steps": [
                {"id": "get", "kind": "action", "action": "users.get", "with": {"id": "u"}},
                {"id": "mfa", "kind": "action", "action": "users.reset_mfa", "with": {}},
                {
                    "id": "each",
                    "kind": "loop",
                    "items": "{{ [1] }}",
                    "max_iterations": 5,
                    "steps": [
                        {"id": "lock", "kind": "action", "action": "devices.lock", "with": {}},
                        {"id": "bind", "kind": "action", "action": "applications.bind_user"},
                    ],
                },
            ],
        }
    )
    target = ScimTarget("corp", "https://scim.example.com/v2", "T")
    found = unsupported_steps(workflow.steps, target)
    assert [node for node, _ in found] == ["mfa", "lock", "bind"]
    assert found[1][1] == (
        "step 'lock' uses devices.lock, which SCIM directory 'corp' cannot do (SCIM has users "
        "and groups only); run it on the embedded directory or remove the step"
    )
