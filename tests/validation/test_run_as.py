"""Issue 18.4: one ordering of roles (``wfbench.roles.breadth``) behind both the Run As
choice and the "broader than needed" warning.

A workflow that only reads devices, saved as ``command_runner`` (2 permissions, one of
which runs commands on every device), is broader than ``read_only`` (more permissions,
none of which changes anything): Save warns and names ``read_only``, through
``wfbench validate --json`` and the canvas's Run As message alike.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from wfbench import Workbench
from wfbench.cli import main
from wfbench.roles import RoleRegistry, breadth

DEVICES_ONLY: dict[str, Any] = {
    "format": "wfbench/v1",
    "name": "List devices",
    "type": "manual",
    "run_as": "command_runner",
    "trigger": {
        "input_schema": {
            "type": "object",
            "properties": {"user_id": {"type": "string"}},
            "required": ["user_id"],
        }
    },
    "steps": [
        {
            "id": "devices",
            "kind": "action",
            "action": "devices.list_for_user",
            "with": {"user_id": "{{ input.user_id }}"},
        }
    ],
}


def test_the_narrowest_role_is_the_least_broad_by_the_one_rule() -> None:
    roles = RoleRegistry()
    best = roles.narrowest({"devices:read"})
    assert best is not None and best.name == "read_only"
    assert breadth(roles.get("command_runner")) > breadth(best)


def test_validate_json_warns_and_names_read_only(tmp_path: Path) -> None:
    path = tmp_path / "devices.json"
    path.write_text(json.dumps(DEVICES_ONLY), encoding="utf-8")
    out = io.StringIO()
    code = main(["--db", str(tmp_path / "v.duckdb"), "validate", str(path), "--json"], out)
    assert code == 0, out.getvalue()
    (result,) = json.loads(out.getvalue())
    broader = [i for i in result["issues"] if i["code"] == "role.broader"]
    assert [i["severity"] for i in broader] == ["warning"], result
    assert "'read_only' is the narrowest role" in broader[0]["message"]


def test_the_canvas_run_as_message_says_the_same(tmp_path: Path) -> None:
    wb = Workbench(str(tmp_path / "c.duckdb"))
    wb.init()
    wb.save(DEVICES_ONLY)
    cv = wb.canvas("List devices")
    assert "grants more than the workflow needs" in cv.role_message.value
    assert "read_only" in cv.role_message.value
