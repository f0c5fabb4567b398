"""``wfbench validate, schema, roles, actions, init, import, export, list, enable``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wfbench.workbench import Workbench

from .conftest import Wfbench

FIXTURES = Path(__file__).parent.parent / "fixtures"
SAMPLES = Path(__file__).parent.parent.parent / "wfbench" / "samples"

LOOK = {
    "format": "wfbench/v1",
    "name": "Look",
    "type": "manual",
    "run_as": "auditor",
    "trigger": {"input_schema": {"type": "object"}},
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "hi"}}],
}


def test_validate_json_shape_and_exit_codes(wfbench: Wfbench) -> None:
    good = SAMPLES / "onboard_new_hire.json"
    bad = FIXTURES / "invalid" / "unknown_step.json"
    result = wfbench("validate", good, bad, "--json")
    assert result.code == 1, result.err
    files: list[dict[str, Any]] = json.loads(result.out)
    assert [(r["file"], r["valid"]) for r in files] == [(str(good), True), (str(bad), False)]
    assert files[0]["issues"] == []
    (issue,) = files[1]["issues"]
    assert {k: issue[k] for k in ("severity", "code", "node", "field")} == {
        "severity": "error",
        "code": "ref.unknown_step",
        "node": "add",
        "field": "with.user_id",
    }
    assert "did you mean 'create'" in issue["message"]


def test_validate_valid_files_exit_zero_and_print_a_verdict(wfbench: Wfbench) -> None:
    result = wfbench("validate", SAMPLES / "offboard_contractor.json")
    assert result.code == 0
    assert "valid" in result.out


def test_validate_does_not_create_the_default_store(wfbench: Wfbench, tmp_path: Path) -> None:
    assert wfbench("validate", SAMPLES / "offboard_contractor.json").code == 0
    assert wfbench("roles").code == 0
    assert not (tmp_path / "absent.duckdb").exists()


def test_validate_text_output_says_what_to_do(wfbench: Wfbench) -> None:
    result = wfbench("validate", FIXTURES / "invalid" / "role_too_narrow.json")
    assert result.code == 1
    assert "choose 'manager'" in result.out
    assert "role.too_narrow" in result.out


def test_unreadable_file_is_exit_two(wfbench: Wfbench, tmp_path: Path) -> None:
    result = wfbench("validate", tmp_path / "missing.json", "--json")
    assert result.code == 2
    (found,) = json.loads(result.out)
    assert found["issues"][0]["code"] == "file.unreadable"
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert wfbench("validate", bad).code == 2


def test_usage_error_is_exit_two(wfbench: Wfbench) -> None:
    result = wfbench("frobnicate")
    assert result.code == 2
    assert "invalid choice" in result.err


def test_schema_roles_and_actions(wfbench: Wfbench) -> None:
    schema = json.loads(wfbench("schema").out)
    assert schema["title"] == "wfbench/v1 workflow"
    assert "max_iterations" in schema["$defs"]["LoopNode"]["required"]
    roles = json.loads(wfbench("roles", "--json").out)
    assert [r["name"] for r in roles][:2] == ["read_only", "help_desk"]
    manager = next(r for r in roles if r["name"] == "manager")
    assert "groups:write" in manager["permissions"]
    assert "users:delete" not in manager["permissions"]
    actions = {a["name"]: a for a in json.loads(wfbench("actions", "--json").out)}
    assert actions["users.suspend"]["permissions"] == ["users:write"]
    assert actions["users.suspend"]["side_effects"] is True
    assert actions["users.get"]["side_effects"] is False
    assert "user_id" in actions["users.suspend"]["input_schema"]["properties"]
    text = wfbench("actions").out
    assert "users.get" in text and "notify.email" in text


def test_every_invalid_example_is_refused_in_one_call(wfbench: Wfbench) -> None:
    files = sorted((FIXTURES / "invalid").glob("*.json"))
    result = wfbench("validate", *files, "--json")
    assert result.code == 1
    found = json.loads(result.out)
    assert len(found) == len(files) == 12
    assert all(r["valid"] is False and r["issues"] for r in found)


def test_a_custom_role_is_seen_by_validate_import_and_roles(
    wfbench: Wfbench, db: Path, tmp_path: Path
) -> None:
    """Issue 9: validate and roles built their own registry and missed the store's roles."""
    look = tmp_path / "look.json"
    look.write_text(json.dumps(LOOK))
    refused = wfbench("--db", db, "validate", look)
    assert refused.code == 1 and "auditor" in refused.out  # not defined yet
    wb = Workbench(db)
    wb.catalogue.define_role("auditor", ["users:read"], "reads users, changes nothing")
    wb.close()
    checked = wfbench("--db", db, "validate", look, "--json")
    assert checked.code == 0, checked.out
    assert json.loads(checked.out)[0]["valid"] is True
    roles = {r["name"]: r for r in json.loads(wfbench("--db", db, "roles", "--json").out)}
    assert roles["auditor"]["permissions"] == ["users:read"]
    assert roles["auditor"]["builtin"] is False
    assert "auditor" in wfbench("--db", db, "roles").out
    imported = wfbench("--db", db, "import", look)
    assert imported.code == 0, imported.err
    assert "imported 'Look'" in imported.out


def test_init_import_export_list_enable(wfbench: Wfbench, db: Path, tmp_path: Path) -> None:
    init = wfbench("--db", db, "init", "--demo")
    assert init.code == 0, init.err
    assert "seeded the demo directory" in init.out
    assert "imported workflow 'Offboard contractor'" in init.out
    again = wfbench("--db", db, "init", "--demo")
    assert "already seeded" in again.out
    listed = json.loads(wfbench("--db", db, "list", "--json").out)
    assert {w["name"] for w in listed} == {"Onboard new hire", "Offboard contractor"}
    text = wfbench("--db", db, "export", "Offboard contractor").out
    assert json.loads(text)["name"] == "Offboard contractor"
    out = tmp_path / "exported.json"
    assert wfbench("--db", db, "export", "Offboard contractor", "-o", out).code == 0
    assert out.read_text() == text
    assert "now disabled" in wfbench("--db", db, "disable", "Offboard contractor").out
    table = wfbench("--db", db, "list").out.splitlines()
    assert table[0].split()[:4] == ["id", "name", "type", "enabled"]
    by_id = {line.split()[0]: line for line in table[1:]}
    assert set(by_id) == {w["id"] for w in listed}
    off = next(w["id"] for w in listed if w["name"] == "Offboard contractor")
    assert "Offboard contractor  manual  False" in by_id[off]
    assert "now enabled" in wfbench("--db", db, "enable", "Offboard contractor").out
    missing = wfbench("--db", db, "enable", "No such")
    assert missing.code == 2 and missing.err.startswith("wfbench: ")


def test_import_refuses_all_files_when_one_is_invalid(
    wfbench: Wfbench, db: Path, tmp_path: Path
) -> None:
    bad = FIXTURES / "invalid" / "unknown_step.json"
    result = wfbench("--db", db, "import", SAMPLES / "onboard_new_hire.json", bad)
    assert result.code == 1 and "nothing imported" in result.err
    assert json.loads(wfbench("--db", db, "list", "--json").out) == []
    unreadable = wfbench("--db", db, "import", tmp_path / "missing.json")
    assert unreadable.code == 2
