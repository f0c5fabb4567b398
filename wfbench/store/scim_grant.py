"""A run's SCIM directory, imported only by a run that acts on a SCIM directory (it loads
the SCIM client)."""

from __future__ import annotations

from typing import Any

from wfbench.directory import Directory
from wfbench.directory.scim import ScimDirectory

__all__ = ["GrantedScimDirectory"]


class GrantedScimDirectory(ScimDirectory):
    """A run's SCIM directory. ``send_email`` still puts the email in the workbench's own
    outbox (*outbox*, the embedded directory on the run's cursor)."""

    def __init__(self, *args: Any, outbox: Directory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._outbox = outbox

    def _hold_reads(self, held: bool) -> None:
        """The embedded directory keeps rows read in an open transaction; a SCIM service
        has no transaction of the run's, so nothing is kept: every read goes to it."""

    def send_email(self, to: str, subject: str, body: str) -> Any:
        with self._outbox.reporting(self._note):
            return self._outbox.send_email(to, subject, body)
