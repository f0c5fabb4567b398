"""What the HTTP API's tests share: the sample workflows, the served store, helpers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel

from wfbench.api import ApiServer
from wfbench.workbench import Workbench

SAMPLES = Path(__file__).parent.parent.parent / "wfbench" / "samples"
WFBENCH = shutil.which("wfbench", path=str(Path(sys.executable).parent)) or "wfbench"
API = "/api/v2/workflows"
PROBLEM = "application/problem+json"

HELLO = {
    "format": "wfbench/v1",
    "name": "Hello",
    "description": "One step: log a greeting.",
    "type": "manual",
    "run_as": "read_only",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "times": {"type": "integer"},
            },
            "additionalProperties": False,
        }
    },
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "hi"}}],
}
SLOW = {
    "format": "wfbench/v1",
    "name": "Slow",
    "type": "manual",
    "run_as": "read_only",
    "trigger": {"input_schema": {"type": "object", "properties": {"s": {"type": "number"}}}},
    "steps": [
        {
            "id": "pause",
            "kind": "action",
            "action": "core.wait",
            "with": {"seconds": "{{ input.s }}"},
        }
    ],
}


class _Nothing(BaseModel):
    pass


@dataclass
class Gate:
    """A run of "Gate" stays ``running`` until the test opens it, however slow the machine."""

    entered: threading.Event  # the step has started: a request is in flight
    opened: threading.Event  # set by the test: the step ends


def gate(wb: Workbench) -> Gate:
    """Save "Gate": one step that says it has started, then waits (bounded) to be let go."""
    g = Gate(threading.Event(), threading.Event())

    def wait(params: _Nothing, ctx: Any) -> _Nothing:
        g.entered.set()
        if not g.opened.wait(120):
            raise TimeoutError("the test never opened the gate")
        return _Nothing()

    wb.action("test.gate", input=_Nothing, output=_Nothing, side_effects=False)(wait)
    steps = [{"id": "gate", "kind": "action", "action": "test.gate", "with": {}}]
    schema = {"input_schema": {"type": "object"}}
    wb.save({**SLOW, "name": "Gate", "trigger": schema, "steps": steps})
    return g


@dataclass
class Seed:
    path: Path
    keys: dict[str, str]


@dataclass
class Api:
    wb: Workbench
    server: ApiServer
    path: Path
    keys: dict[str, str]

    def client(self, role: str | None = "editor") -> httpx.Client:
        headers = {"x-api-key": self.keys[role]} if role else {}
        return httpx.Client(base_url=self.server.url, headers=headers, timeout=30)


def problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    """Check an RFC 9457 problem response and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == f"https://wfbench.dev/problems/{slug}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WFBENCH, *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def sample_input(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.input.json").read_text())
