"""``wb.access``: the HTTP API's keys (created by the CLI or a notebook, stored hashed,
each with a caller role: ``viewer``, ``runner`` or ``editor``), and how long a server keeps
the store file open between requests."""

from __future__ import annotations

from wfbench.store import ApiKey, Store

__all__ = ["Access"]


class Access:
    """Who may call the HTTP API of one store (``wb.access``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def create_key(self, name: str, role: str = "runner") -> str:
        """A new HTTP API key (``viewer``, ``runner`` or ``editor``); shown only this once."""
        return self._store.create_api_key(name, role)

    def list_keys(self) -> list[ApiKey]:
        """Every API key's name, role, dates and state (never the key itself)."""
        return self._store.api_keys()

    def revoke_key(self, name: str) -> ApiKey:
        """Revoke a key: it stops working at once."""
        return self._store.revoke_api_key(name)

    def verify_key(self, key: str) -> ApiKey | None:
        """The live key ``key`` is (its use is noted), or None."""
        return self._store.verify_api_key(key)

    def keep_open(self, seconds: float) -> None:
        """Keep the store file open up to ``seconds`` after its last use (a server answering
        request after request opens it once); it is let go at once when another process is
        waiting for it. ``wfbench serve`` keeps it for
        :data:`~wfbench.workbench.SERVE_KEEP_OPEN_S`."""
        self._store.keep_open(seconds)
