"""wfbench.store.scim_grant: a run's SCIM directory whose email still lands in the
workbench's own outbox (on the session's SCIM server)."""

from __future__ import annotations

from typing import Any

import duckdb

from wfbench.directory import Directory
from wfbench.directory.targets import ScimTarget
from wfbench.roles import PERMISSIONS
from wfbench.store.scim_grant import GrantedScimDirectory


def test_users_come_from_scim_and_email_goes_to_the_outbox(
    scim_target: ScimTarget, scim_people: dict[str, Any], con: duckdb.DuckDBPyConnection
) -> None:
    everything = frozenset(PERMISSIONS)
    outbox = Directory(con, everything, run_id="run-1")
    granted = GrantedScimDirectory(scim_target, everything, run_id="run-1", outbox=outbox)
    heard: list[str] = []
    try:
        granted._hold_reads(True)  # nothing to hold: every read goes to the service
        alice = granted.get_user(id=scim_people["alice"]["id"])
        with granted.reporting(heard.append):
            sent = granted.send_email(alice.email, "Bye", "Your access ends today.")
    finally:
        granted.close()
    kept = con.execute(
        "SELECT to_addr, subject, run_id FROM outbox WHERE id = ?", [sent.message_id]
    ).fetchone()
    assert kept == (alice.email, "Bye", "run-1")
    assert heard == granted.changes == [f"emailed {alice.email}: 'Bye' ({sent.message_id})"]
