"""wfbench.training.room: the training room's reset of the directory."""

from __future__ import annotations

from wfbench.workbench import Workbench


def test_reset_brings_back_the_seeded_directory_and_keeps_definitions(wb: Workbench) -> None:
    from wfbench.training.room import reset_directory

    with wb.hold() as con:
        before = con.execute("SELECT count(*), list(id ORDER BY id) FROM users").fetchone()
        con.execute("DELETE FROM memberships")
        con.execute("DELETE FROM devices")
        con.execute("DELETE FROM bindings")
        con.execute("DELETE FROM users")
        definitions = con.execute("SELECT count(*) FROM workflow_versions").fetchone()
    seeded = reset_directory(wb)
    with wb.hold() as con:
        assert con.execute("SELECT count(*), list(id ORDER BY id) FROM users").fetchone() == before
        assert seeded["users"] == before[0]  # type: ignore[index]
        assert con.execute("SELECT count(*) FROM workflow_versions").fetchone() == definitions
