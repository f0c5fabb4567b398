"""The wfbench command, run as a real process through its console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).parent.parent / "wfbench" / "samples"
WFBENCH = shutil.which("wfbench", path=str(Path(sys.executable).parent)) or "wfbench"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WFBENCH, *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def test_validate_json_shape_and_exit_codes() -> None:
    good = SAMPLES / "onboard_new_hire.json"
    bad = FIXTURES / "invalid" / "unknown_step.json"
    proc = run("validate", good, bad, "--json")
    assert proc.returncode == 1, proc.stderr
    result: list[dict[str, Any]] = json.loads(proc.stdout)
    assert [(r["file"], r["valid"]) for r in result] == [(str(good), True), (str(bad), False)]
    assert result[0]["issues"] == []
    (issue,) = result[1]["issues"]
    assert {k: issue[k] for k in ("severity", "code", "node", "field")} == {
        "severity": "error",
        "code": "ref.unknown_step",
        "node": "add",
        "field": "with.user_id",
    }
    assert "did you mean 'create'" in issue["message"]


def test_validate_valid_files_exit_zero_and_print_a_verdict() -> None:
    proc = run("validate", SAMPLES / "offboard_contractor.json")
    assert proc.returncode == 0
    assert "valid" in proc.stdout


def test_validate_text_output_says_what_to_do() -> None:
    proc = run("validate", FIXTURES / "invalid" / "role_too_narrow.json")
    assert proc.returncode == 1
    assert "choose 'manager'" in proc.stdout
    assert "role.too_narrow" in proc.stdout


def test_unreadable_file_is_exit_two(tmp_path: Path) -> None:
    proc = run("validate", tmp_path / "missing.json", "--json")
    assert proc.returncode == 2
    (result,) = json.loads(proc.stdout)
    assert result["issues"][0]["code"] == "file.unreadable"
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert run("validate", bad).returncode == 2


def test_usage_error_is_exit_two() -> None:
    proc = run("frobnicate")
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr


def test_schema_roles_and_actions() -> None:
    schema = json.loads(run("schema").stdout)
    assert schema["title"] == "wfbench/v1 workflow"
    assert "max_iterations" in schema["$defs"]["LoopNode"]["required"]
    roles = json.loads(run("roles", "--json").stdout)
    assert [r["name"] for r in roles][:2] == ["read_only", "help_desk"]
    manager = next(r for r in roles if r["name"] == "manager")
    assert "groups:write" in manager["permissions"]
    assert "users:delete" not in manager["permissions"]
    actions = {a["name"]: a for a in json.loads(run("actions", "--json").stdout)}
    assert actions["users.suspend"]["permissions"] == ["users:write"]
    assert actions["users.suspend"]["side_effects"] is True
    assert actions["users.get"]["side_effects"] is False
    assert "user_id" in actions["users.suspend"]["input_schema"]["properties"]
    text = run("actions").stdout
    assert "users.get" in text and "notify.email" in text


def test_every_invalid_example_is_refused_in_one_call() -> None:
    files = sorted((FIXTURES / "invalid").glob("*.json"))
    proc = run("validate", *files, "--json")
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert len(result) == len(files) == 12
    assert all(r["valid"] is False and r["issues"] for r in result)
