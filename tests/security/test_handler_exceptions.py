"""Issue 19.3: any exception a handler raises is a failed step, never an aborted run.

Before: a custom action with ``side_effects=True`` whose handler raised ``ValueError`` or
``KeyError`` ended the run with "the store refused a change", ignored ``retry`` and
``on_error: continue`` and recorded no step. Each case here registers one kind of action
whose handler changes the directory (where it may) and then raises; the run must go on
(``on_error: continue``), the step must read ``failed`` with the exception's type and
message, its directory change must be rolled back, and it is called again only where a
side effect allows it (no side effects, or idempotent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from pydantic import BaseModel

from wfbench import Workbench

from .conftest import some_active_user, user_status, workflow


class UserParams(BaseModel):
    user_id: str


class Nothing(BaseModel):
    done: bool = True


class Odd(Exception):
    """An exception class of the handler's own."""


EXCEPTIONS: dict[str, BaseException] = {
    "ValueError": ValueError("bad value"),
    "KeyError": KeyError("missing"),
    "RuntimeError": RuntimeError("broken"),
    "ZeroDivisionError": ZeroDivisionError("division by zero"),
    "custom Exception": Odd("odd thing"),
    "duckdb.Error": duckdb.Error("a library's own"),
}

#: kind -> (register keywords, writes the directory, may be retried)
KINDS: dict[str, tuple[dict[str, Any], bool, bool]] = {
    "side effects": ({"side_effects": True}, True, False),
    "side effects, idempotent": ({"side_effects": True, "idempotent": True}, True, True),
    "side effects, dry-run safe (batched)": (
        {"side_effects": True, "dry_run_safe": True},
        True,
        False,
    ),
    "side effects, not exclusive": ({"side_effects": True, "exclusive": False}, True, False),
    "side effects, remote": ({"side_effects": True, "remote": True}, False, False),
    "no side effects": ({"side_effects": False}, False, True),
}


@pytest.mark.parametrize("exc_name", list(EXCEPTIONS))
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_handler_exception_is_a_failed_step(demo_store: Path, kind: str, exc_name: str) -> None:
    wb = Workbench(str(demo_store))
    keywords, writes, retried = KINDS[kind]
    calls: list[int] = []

    def boom(params: UserParams, ctx: Any) -> Nothing:
        calls.append(1)
        if writes:
            ctx.directory.suspend_user(params.user_id)
        raise EXCEPTIONS[exc_name]

    perms = ("users:read", "users:write") if writes else ()
    wb.action("custom.boom", input=UserParams, output=Nothing, permissions=perms, **keywords)(boom)
    user_id, email = some_active_user(wb)
    wb.save(
        workflow(
            [
                {
                    "id": "boom",
                    "kind": "action",
                    "action": "custom.boom",
                    "with": {"user_id": "{{ input.user_id }}"},
                    "retry": {"max_attempts": 3, "backoff_s": 0},
                    "on_error": "continue",
                },
                {"id": "after", "kind": "action", "action": "core.set", "with": {"value": 1}},
            ],
            schema={"type": "object", "properties": {"user_id": {"type": "string"}}},
            name="Boom",
            run_as="help_desk",
        )
    )
    run = wb.run("Boom", {"user_id": user_id})

    assert run.status == "succeeded", run.error
    steps = {s.node: s for s in run.steps}
    assert steps["boom"].status == "failed"
    assert (steps["boom"].error or "").startswith(type(EXCEPTIONS[exc_name]).__name__ + ": ")
    assert str(EXCEPTIONS[exc_name]).strip("'") in (steps["boom"].error or "")
    assert steps["after"].status == "succeeded"
    assert len(calls) == (3 if retried else 1)
    assert steps["boom"].attempts == len(calls)
    # its directory change was rolled back; the history holds the failed step
    reopened = Workbench(str(demo_store))
    assert user_status(reopened, email) == "active"
    stored = reopened.steps(run.run_id)
    assert list(stored.loc[stored["node"] == "boom", "status"]) == ["failed"]
