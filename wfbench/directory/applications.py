"""Application bindings and the outbox of sent email."""

from __future__ import annotations

from wfbench.actions.records import Binding, EmailSent
from wfbench.directory.base import (
    DirectoryBase,
    _email,
)
from wfbench.errors import ActionError


class Applications(DirectoryBase):
    """Application bindings and the outbox of sent email."""

    def _application_name(self, application_id: str) -> str:
        name = self._value("SELECT name FROM applications WHERE id = ?", [application_id])
        if name is None:
            raise ActionError(f"no application with id {application_id!r}")
        return str(name)

    def _is_bound(self, application_id: str, user_id: str) -> bool:
        return bool(
            self._rows(
                "SELECT 1 FROM bindings WHERE application_id = ? AND user_id = ?",
                [application_id, user_id],
            )
        )

    def bind_application(self, application_id: str, user_id: str) -> Binding:
        """Give a user access to an application; ``changed`` is false if they had it."""
        self._require("bind_application", "applications:write")
        app = self._application_name(application_id)
        user = self._user(user_id)
        if self._is_bound(application_id, user_id):
            return Binding(application_id=application_id, user_id=user_id, changed=False)
        self._con.execute(
            "INSERT INTO bindings VALUES (?, ?, ?)", [application_id, user_id, self._now()]
        )
        self._inserted("bindings", application_id, user_id)
        self._note(
            f"gave {user.email} access to {app}",
            f"would give {user.email} access to {app}",
        )
        return Binding(application_id=application_id, user_id=user_id, changed=True)

    def unbind_application(self, application_id: str, user_id: str) -> Binding:
        """Take a user's access to an application away; ``changed`` is false if they had none."""
        self._require("unbind_application", "applications:write")
        app = self._application_name(application_id)
        user = self._user(user_id)
        if not self._is_bound(application_id, user_id):
            return Binding(application_id=application_id, user_id=user_id, changed=False)
        where = "application_id = ? AND user_id = ?"
        self._writing("bindings", where, [application_id, user_id])
        self._con.execute(f"DELETE FROM bindings WHERE {where}", [application_id, user_id])
        self._note(
            f"took {app} access away from {user.email}",
            f"would take {app} access away from {user.email}",
        )
        return Binding(application_id=application_id, user_id=user_id, changed=True)

    def send_email(self, to: str, subject: str, body: str) -> EmailSent:
        """Put an email in the outbox (nothing leaves the machine)."""
        self._require("send_email", "notifications:send")
        address = _email(to, "recipient")
        message_id = self._insert_with_id(
            "outbox", "msg_", 6, [address, subject, body, self.run_id, self._now()]
        )
        sent = EmailSent(message_id=message_id, to=address, subject=subject)
        self._note(
            f"emailed {address}: {subject!r} ({sent.message_id})",
            f"would email {address}: {subject!r}",
        )
        return sent
