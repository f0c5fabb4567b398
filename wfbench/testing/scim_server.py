"""A real SCIM 2.0 server on loopback, to try a SCIM directory on without touching one.

:class:`LocalScimServer` starts ``scim2-server`` (python-scim's server, in the dev
extra: ``pip install 'wfbench[dev]'`` or ``pip install scim2-server``) in a process of
its own on a free port of 127.0.0.1, with a bearer token, and stops it by its PID. It
keeps everything in memory: each start is an empty directory. The tests, the
``real_directory`` notebook and ``bench/scim.py`` use it.
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
from types import TracebackType
from typing import Any, Self

import httpx2

from wfbench.errors import MissingExtra, ScimServerError

__all__ = ["LocalScimServer", "free_port"]

_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LocalScimServer:
    """``scim2-server`` on 127.0.0.1 (see the module docstring); a context manager.

    ``url`` is its base URL (``…/v2``), ``token`` the bearer token it accepts; ``http``
    a plain ``httpx2`` client on it, for seeding and checking behind wfbench's back.
    """

    def __init__(self, token: str | None = None, *, start_timeout_s: float = 30.0) -> None:
        self.token = token or secrets.token_urlsafe(24)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v2"
        self._timeout = start_timeout_s
        self.process: subprocess.Popen[bytes] | None = None
        self.http = httpx2.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )

    def start(self) -> Self:
        try:
            import scim2_server  # noqa: F401
        except ModuleNotFoundError:
            raise MissingExtra("a local SCIM server (scim2-server)", extra="dev") from None
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scim2_server.testserver.cli",
                "--hostname",
                "127.0.0.1",
                "--port",
                str(self.port),
                f"--bearer-token={self.token}",  # "=": a token may start with "-"
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        end = time.monotonic() + self._timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise ScimServerError(f"scim2-server exited at start ({self.process.returncode})")
            try:
                if self.http.get("/ServiceProviderConfig").status_code == 200:
                    return self
            except httpx2.TransportError:
                time.sleep(0.05)
        self.stop()
        raise ScimServerError(f"scim2-server did not answer on {self.url} within {self._timeout} s")

    def stop(self) -> None:
        """Stop the server process (by its PID) and wait for it."""
        self.http.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL by PID): a server lost mid-request."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- seeding and reading, plain HTTP ---------------------------------------------------------

    def add_user(
        self,
        email: str,
        first_name: str,
        last_name: str,
        *,
        department: str = "engineering",
        user_type: str = "Employee",
        manager_id: str | None = None,
        active: bool = True,
        employee_number: str | None = None,
    ) -> dict[str, Any]:
        """Create a user (core + enterprise extension); returns the server's resource."""
        enterprise: dict[str, Any] = {"department": department}
        if manager_id:
            enterprise["manager"] = {"value": manager_id}
        if employee_number:
            enterprise["employeeNumber"] = employee_number
        body = {
            "schemas": [_USER, _ENTERPRISE],
            "userName": email,
            "name": {"givenName": first_name, "familyName": last_name},
            "emails": [{"value": email, "primary": True, "type": "work"}],
            "active": active,
            "userType": user_type,
            _ENTERPRISE: enterprise,
        }
        return self._created(self.http.post("/Users", json=body))

    def add_group(self, name: str, member_ids: list[str] = []) -> dict[str, Any]:  # noqa: B006
        body = {
            "schemas": [_GROUP],
            "displayName": name,
            "members": [{"value": m} for m in member_ids],
        }
        return self._created(self.http.post("/Groups", json=body))

    @staticmethod
    def _created(answer: httpx2.Response) -> dict[str, Any]:
        if answer.status_code != 201:
            raise ScimServerError(
                f"scim2-server refused a seed ({answer.status_code}): {answer.text}"
            )
        created: dict[str, Any] = answer.json()
        return created

    def resources(self, kind: str) -> list[dict[str, Any]]:
        """Every ``Users`` or ``Groups`` resource, paged through, sorted by id."""
        found: list[dict[str, Any]] = []
        start = 1
        while True:
            page = self.http.get(f"/{kind}", params={"startIndex": start, "count": 1000}).json()
            items = page.get("Resources", [])
            found += items
            if not items or len(found) >= page.get("totalResults", 0):
                return sorted(found, key=lambda r: r["id"])
            start += len(items)
