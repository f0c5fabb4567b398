"""wfbench.actions.notify: an email is written to the directory's outbox, not sent."""

from __future__ import annotations

import duckdb
import pytest
from pydantic import ValidationError

from wfbench.actions.notify import CATEGORY, SPECS, EmailParams

from .support import call, context, flags, one


def test_an_email_lands_in_the_outbox_with_its_run(con: duckdb.DuckDBPyConnection) -> None:
    ctx = context(con)
    out = call("notify.email", {"to": "Boss@Example.com", "subject": "Hi", "body": "Body"}, ctx)
    assert (out.to, out.subject) == ("boss@example.com", "Hi")  # the address is normalised
    kept = one(
        con, "SELECT to_addr, subject, body, run_id FROM outbox WHERE id = ?", out.message_id
    )
    assert kept == ("boss@example.com", "Hi", "Body", "run-7")
    assert ctx.changes == [f"emailed boss@example.com: 'Hi' ({out.message_id})"]


def test_the_message_is_checked_and_the_action_listed_under_notifications() -> None:
    with pytest.raises(ValidationError):
        EmailParams.model_validate({"to": "a@", "subject": "s" * 999, "body": ""})
    assert CATEGORY == "notifications" and SPECS[0].category == "notifications"
    assert flags(SPECS) == {"notify.email": (True, True, True)}
    assert SPECS[0].permissions == {"notifications:send"}
