"""wfbench.directory.applications: bindings and the outbox."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from wfbench.directory import (
    Directory,
)
from wfbench.errors import ActionError

from .support import (
    ADA,
    ada_id,
    one,
)


def test_bind_and_unbind_application(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    uid = ada_id(con)
    app = str(one(con, "SELECT id FROM applications WHERE name = 'AWS Console'"))
    count = "SELECT count(*) FROM bindings WHERE application_id = ? AND user_id = ?"
    assert one(con, count, app, uid) == 0
    bound = d.bind_application(app, uid)
    assert (bound.application_id, bound.user_id, bound.changed) == (app, uid, True)
    assert one(con, count, app, uid) == 1
    assert d.bind_application(app, uid).changed is False
    assert d.unbind_application(app, uid).changed is True
    assert one(con, count, app, uid) == 0
    assert d.unbind_application(app, uid).changed is False
    assert d.changes == [
        f"gave {ADA} access to AWS Console",
        f"took AWS Console access away from {ADA}",
    ]
    with pytest.raises(ActionError, match="no application with id 'app_99'"):
        d.bind_application("app_99", uid)


def test_send_email(d: Directory, con: duckdb.DuckDBPyConnection) -> None:
    sent = d.send_email("Boss@Example.com", "Hello", "Body text")
    assert (sent.message_id, sent.to, sent.subject) == ("msg_000001", "boss@example.com", "Hello")
    assert one(con, "SELECT * FROM outbox") == (
        "msg_000001",
        "boss@example.com",
        "Hello",
        "Body text",
        "run-1",
        datetime(2026, 2, 1, 12, 30),
    )
    assert d.send_email("x@example.com", "2", "").message_id == "msg_000002"
    assert d.changes[0] == "emailed boss@example.com: 'Hello' (msg_000001)"
    with pytest.raises(ActionError, match="recipient 'nobody' is not an email address"):
        d.send_email("nobody", "s", "b")
