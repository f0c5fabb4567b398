"""Issue 10.7 / 19.12: a custom action's context offers only permission-checked operations
(a line the run's thread answers); nothing reachable from it leads to the directory or the
DuckDB connection."""

from __future__ import annotations

import gc
import types
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pydantic import BaseModel

from wfbench.directory import Directory
from wfbench.engine.channel import OPERATIONS, DirectoryAccess
from wfbench.errors import EffectUncertain, PermissionDenied
from wfbench.store import Store
from wfbench.workbench import Workbench


class In(BaseModel):
    user_id: str


class Out(BaseModel):
    found: list[str]


def _is_module_dict(obj: object) -> bool:
    return isinstance(obj, dict) and "__name__" in obj and "__loader__" in obj


def _reachable(root: object, limit: int = 200_000) -> list[object]:
    """Everything gc.get_referents reaches from ``root``, not entering modules (the
    process's global state, which any code can import)."""
    seen: set[int] = set()
    found: list[object] = []
    todo = [root]
    while todo and len(seen) < limit:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, types.ModuleType) or _is_module_dict(obj):
            continue
        seen.add(id(obj))
        found.append(obj)
        todo.extend(gc.get_referents(obj))
    return found


ATTEMPTS: dict[str, Any] = {
    "attribute _con": lambda d: d._con,
    "__dict__": lambda d: d.__dict__,
    "vars": lambda d: vars(d),
    "set an attribute": lambda d: setattr(d, "_con", 1),
    "bound __self__": lambda d: d.get_user.__self__._con,
    "closure": lambda d: [c.cell_contents._con for c in d.get_user.__closure__ or ()],
    "__wrapped__": lambda d: d.get_user.__wrapped__,
    "the line holds requests only": lambda d: d._line._con,
    "globals: no resolver": lambda d: type(d).suspend_user.__globals__["_resolve"],
    "a closure over the directory": lambda d: (
        [c.cell_contents for c in type(d).suspend_user.__closure__ or () if c is not None][1]._con
    ),
}


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    wb = Workbench(tmp_path / "cap.duckdb")
    wb.init(demo=True)
    return wb


def test_nothing_reachable_from_a_handlers_context_reaches_the_connection(
    wb: Workbench,
) -> None:
    seen: dict[str, Any] = {}

    @wb.action("custom.snoop", input=In, output=Out, side_effects=False)
    def snoop(params: In, ctx: Any) -> Out:
        found = []
        for name, attempt in ATTEMPTS.items():
            try:
                attempt(ctx.directory)
                found.append(name)
            except Exception:
                pass
        reached = _reachable(ctx)
        seen["kinds"] = {type(o).__name__ for o in reached}
        seen["bad"] = [
            type(o).__name__
            for o in reached
            if isinstance(o, duckdb.DuckDBPyConnection | Directory | Store | Workbench)
        ]
        try:
            ctx.directory.suspend_user(params.user_id)
            found.append("suspend through the capability")
        except PermissionDenied:
            pass
        seen["user"] = ctx.directory.get_user(id=params.user_id).status
        return Out(found=found)

    user = wb.sql("select id from users where status = 'active' order by id limit 1")["id"][0]
    wb.save(
        {
            "format": "wfbench/v1",
            "name": "Snoop",
            "run_as": "read_only",
            "steps": [
                {"id": "s", "kind": "action", "action": "custom.snoop", "with": {"user_id": user}}
            ],
        }
    )
    run = wb.run("Snoop", {})
    assert run.status == "succeeded", run.steps[-1].error
    assert run.steps[-1].output == {"found": []}
    assert seen["bad"] == []
    assert "DirectoryAccess" in seen["kinds"]  # the walk did get to the capability
    assert seen["user"] == "active"
    assert wb.sql("select status from users where id = ?", [user])["status"][0] == "active"


def test_the_capability_offers_the_directory_operations_and_ends_with_the_run(
    wb: Workbench,
) -> None:
    kept: list[Any] = []

    @wb.action("custom.keep", input=In, output=Out, side_effects=False)
    def keep(params: In, ctx: Any) -> Out:
        kept.append(ctx.directory)
        return Out(found=[ctx.directory.get_user(id=params.user_id).email])

    user = wb.sql("select id from users order by id limit 1")["id"][0]
    wb.save(
        {
            "format": "wfbench/v1",
            "name": "Keep",
            "run_as": "read_only",
            "steps": [
                {"id": "k", "kind": "action", "action": "custom.keep", "with": {"user_id": user}}
            ],
        }
    )
    assert wb.run("Keep", {}).status == "succeeded"
    assert isinstance(kept[0], DirectoryAccess)
    assert {"get_user", "suspend_user", "send_email", "run_command"} <= set(OPERATIONS)
    assert "on" not in OPERATIONS
    with pytest.raises(EffectUncertain, match="is over"):
        kept[0].get_user(id=user)  # a line kept past its attempt refuses
