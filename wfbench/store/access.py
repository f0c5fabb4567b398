"""Who may do what: HTTP API keys, custom roles and HTTP connectors.

Only the SHA-256 of an API key is kept; connectors hold names of environment
variables, never secrets.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Final

import duckdb

from wfbench.actions.context import Connector
from wfbench.errors import BadArgument, KeyNameTaken, NotFound
from wfbench.keys import hash_key
from wfbench.store.session import StoreSession, utc

#: Caller roles of HTTP API keys, narrowest first: each may do what the ones before it may.
API_KEY_ROLES: Final = ("viewer", "runner", "editor")

_KEY_COLUMNS: Final = "name, role, created_at, last_used_at, revoked"
_KEY_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_KEY_PREFIX: Final = "wfb_"
#: ``last_used_at`` is written at most this often per key, so a busy key does not
#: turn every request into a write on one row.
_KEY_TOUCH_S: Final = 30.0


@dataclass(frozen=True)
class ApiKey:
    """An HTTP API key as the store knows it: never the key itself, only its facts."""

    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


_key_hash = hash_key  # the one rule (wfbench.keys), shared with the class board's keys


class Access(StoreSession):
    """API keys, custom roles and connectors."""

    # ------------------------------------------------------------------ API keys

    def create_api_key(self, name: str, role: str) -> str:
        """Make a key for the HTTP API and return it; only its hash is stored.

        The key (``wfb_`` and 32 random bytes, URL-safe base64) is returned once
        and cannot be read back. Keys are high-entropy random strings, so a plain
        SHA-256 is enough to keep them: a slow password hash guards against
        guessing low-entropy secrets, which these are not. ``name`` (letters,
        digits, ``.``, ``_``, ``-``) is unique among keys not revoked and is what
        run history records (``started_by = "api:<name>"``).
        """
        if role not in API_KEY_ROLES:
            raise BadArgument(f"no API key role {role!r}; use one of {', '.join(API_KEY_ROLES)}")
        if not _KEY_NAME.fullmatch(name):
            raise BadArgument(
                f"the key name {name!r} is not allowed; use 1 to 64 letters, digits, '.', "
                "'_' or '-', starting with a letter or digit"
            )
        key = _KEY_PREFIX + secrets.token_urlsafe(32)
        with self._write_lock, self.session(), self._transaction() as cur:
            taken = cur.execute(
                "SELECT 1 FROM api_keys WHERE name = ? AND NOT revoked", [name]
            ).fetchone()
            if taken is not None:
                raise KeyNameTaken(
                    f"an API key named {name!r} exists; revoke it first "
                    f"(wfbench apikey revoke {name}) or choose another name"
                )
            cur.execute(
                "INSERT INTO api_keys (key_hash, name, role, created_at) VALUES (?, ?, ?, ?)",
                [_key_hash(key), name, role, self._now()],
            )
        return key

    def api_keys(self) -> list[ApiKey]:
        """Every API key, revoked ones included, oldest first (never the key itself)."""
        with self.session() as cur:
            rows = cur.execute(
                f"SELECT {_KEY_COLUMNS} FROM api_keys ORDER BY created_at, name"
            ).fetchall()
        return [_to_key(row) for row in rows]

    def revoke_api_key(self, name: str) -> ApiKey:
        """Revoke the active key called ``name``: it stops working at once, and stays listed."""
        with self._write_lock, self.session() as cur:
            row = cur.execute(
                "UPDATE api_keys SET revoked = true, revoked_at = ? "
                f"WHERE name = ? AND NOT revoked RETURNING {_KEY_COLUMNS}",
                [self._now(), name],
            ).fetchone()
            if row is None:
                names = sorted(
                    {
                        r[0]
                        for r in cur.execute(
                            "SELECT name FROM api_keys WHERE NOT revoked"
                        ).fetchall()
                    }
                )
                known = ", ".join(names) if names else "none"
                raise NotFound(f"no active API key named {name!r}; active keys: {known}")
        return _to_key(row)

    def verify_api_key(self, key: str) -> ApiKey | None:
        """The key's facts if ``key`` is a key that is not revoked, else ``None``.

        Notes the use in ``last_used_at`` (at most every 30 seconds per key).
        """
        if not key.startswith(_KEY_PREFIX) or len(key) > 200:
            return None
        digest = _key_hash(key)
        with self.session() as cur:
            row = cur.execute(
                f"SELECT {_KEY_COLUMNS} FROM api_keys WHERE key_hash = ? AND NOT revoked",
                [digest],
            ).fetchone()
            if row is None:
                return None
            found = _to_key(row)
            now = self._now()
            last = found.last_used_at
            if last is None or (now - last).total_seconds() >= _KEY_TOUCH_S:
                try:
                    cur.execute(
                        "UPDATE api_keys SET last_used_at = ? WHERE key_hash = ?", [now, digest]
                    )
                except duckdb.TransactionException:
                    pass  # another request noted the same use at the same moment
                else:
                    found = ApiKey(found.name, found.role, found.created_at, now, found.revoked)
        return found

    # ------------------------------------------------------------------ connectors

    def save_role(self, name: str, permissions: Sequence[str], description: str = "") -> None:
        """Save (or replace) a custom role."""
        with self.session() as cur:
            cur.execute(
                "INSERT OR REPLACE INTO roles (name, permissions, description) VALUES (?, ?, ?)",
                [name, json.dumps(sorted(permissions)), description],
            )

    def custom_roles(self) -> list[tuple[str, list[str], str]]:
        """Every saved custom role: ``(name, permissions, description)``."""
        with self.session() as cur:
            rows = cur.execute("SELECT name, permissions, description FROM roles ORDER BY name")
            return [(n, json.loads(p), d) for n, p, d in rows.fetchall()]

    def save_connector(self, connector: Connector) -> None:
        """Save (or replace) a connector; it holds names of environment variables, no secrets."""
        values = asdict(connector)
        names = list(values)
        with self.session() as cur:
            cur.execute(
                f"INSERT OR REPLACE INTO connectors ({', '.join(names)}) "
                f"VALUES ({', '.join('?' * len(names))})",
                [values[n] for n in names],
            )

    def connectors(self) -> dict[str, Connector]:
        """Every saved connector by name."""
        with self.session() as cur:
            result = cur.execute("SELECT * FROM connectors ORDER BY name")
            names = [d[0] for d in result.description or []]
            rows = result.fetchall()
        return {row[0]: Connector(**dict(zip(names, row, strict=True))) for row in rows}


def _to_key(row: tuple[Any, ...]) -> ApiKey:
    name, role, created, last_used, revoked = row
    return ApiKey(
        name=name,
        role=role,
        created_at=utc(created) or created,
        last_used_at=utc(last_used),
        revoked=bool(revoked),
    )
