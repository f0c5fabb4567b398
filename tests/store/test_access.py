"""wfbench.store.access: connectors (API keys and roles are tested through the API and CLI)."""

from __future__ import annotations

from wfbench.actions.context import Connector
from wfbench.store import Store


def test_connectors_hold_env_names_only(store: Store) -> None:
    hr = Connector("hr", "https://hr.example.com", auth="bearer", token_env="HR_TOKEN")
    store.save_connector(hr)
    store.save_connector(Connector("plain", "https://x.example.com"))
    replaced = Connector("hr", "https://hr2.example.com", auth="basic", username_env="U")
    store.save_connector(replaced)
    assert store.connectors() == {
        "hr": replaced,
        "plain": Connector("plain", "https://x.example.com"),
    }
