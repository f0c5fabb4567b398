"""wfbench.workbench.catalogue: ``wb.catalogue``: actions, roles and connectors."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from wfbench.actions.context import Connector
from wfbench.workbench import Workbench


def test_catalogues_and_keys(memory_wb: Workbench, tmp_path: Path) -> None:
    wb = memory_wb
    wb.catalogue.define_role("auditor", ["users:read"])
    assert "auditor" in [r.name for r in wb.catalogue.roles(format="objects")]
    assert wb.catalogue.actions(format="registry").get("core.log").name == "core.log"
    key = wb.access.create_key("bot", "viewer")
    found = wb.access.verify_key(key)
    assert found is not None and found.role == "viewer"
    assert [k.name for k in wb.access.list_keys()] == ["bot"]
    assert wb.access.revoke_key("bot").revoked
    assert wb.access.verify_key(key) is None
    elsewhere = Workbench(tmp_path / "absent.duckdb")
    assert [r.name for r in elsewhere.catalogue.roles(format="objects")][:1] == ["read_only"]
    assert not (tmp_path / "absent.duckdb").exists()  # reading roles made no file


class Ping(BaseModel):
    text: str


def test_a_custom_action_gets_every_flag_as_given(memory_wb: Workbench) -> None:
    wb = memory_wb

    @wb.catalogue.action(
        "custom.ping", input=Ping, output=Ping, permissions=["users:read"], dry_run_safe=True
    )
    def ping(params: Ping, ctx: object) -> Ping:
        """Answers with what it was given."""
        return params

    spec = wb.catalogue.actions(format="registry").get("custom.ping")
    assert (spec.callable_in_dry_run, spec.batched, spec.side_effects) == (True, True, True)
    assert (spec.category, spec.description) == ("custom", "Answers with what it was given.")
    assert spec.handler is ping and spec.permissions == {"users:read"}
    table = wb.catalogue.actions()
    row = table.set_index("action").loc["custom.ping"]
    assert (row["category"], row["permissions"], bool(row["side_effects"])) == (
        "custom",
        ["users:read"],
        True,
    )


def test_roles_as_a_table_and_connectors_kept_in_the_store(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.catalogue.define_role("auditor", ["users:read", "groups:read"], "reads")
    table = wb.catalogue.roles().set_index("role")
    assert set(table.loc["auditor", "permissions"]) == {"groups:read", "users:read"}
    assert not table.loc["auditor", "builtin"] and table.loc["read_only", "builtin"]
    wb.catalogue.add_connector(Connector("api", "https://api.example.com", "bearer", token_env="T"))
    assert wb.directory.names() == ["embedded"]  # an HTTP connector is no directory
    assert wb.runs.sql("SELECT name FROM connectors")["name"].tolist() == ["api"]
