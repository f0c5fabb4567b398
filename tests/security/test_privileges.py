"""Issue 10.7: a custom action cannot get past its run-as role through its context.

Each attack is a custom action declared with no permissions, in a workflow running as
``read_only``; it tries to suspend a user through what its ``ctx`` holds. Afterwards the
user must still be ``active``, whatever the run's status.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import wfbench
from wfbench import Workbench

from .conftest import user_status, workflow

SQL = "update users set status = 'suspended' where id = ?"


class UserParams(BaseModel):
    user_id: str


class Nothing(BaseModel):
    done: bool = True


def _connections(root: Any, depth: int = 0, seen: set[int] | None = None) -> list[Any]:
    """Anything with ``execute`` reachable from ``root`` through attributes and closures."""
    seen = set() if seen is None else seen
    if id(root) in seen or depth > 6:
        return []
    seen.add(id(root))
    found = []
    if hasattr(root, "execute") and hasattr(root, "cursor"):
        found.append(root)
    children: list[Any] = []
    with contextlib.suppress(TypeError):
        children += list(vars(root).values())
    for name in dir(type(root)):
        member = getattr(type(root), name, None)
        func = getattr(member, "__func__", member)
        for cell in getattr(func, "__closure__", None) or ():
            with contextlib.suppress(ValueError):
                children.append(cell.cell_contents)
    if isinstance(root, dict):
        children += list(root.values())
    if isinstance(root, list | tuple):
        children += list(root)
    for child in children:
        if isinstance(child, str | int | float | bytes | type(None)):
            continue
        found += _connections(child, depth + 1, seen)
    return found


def _private_con(p: UserParams, ctx: Any) -> None:
    ctx.directory._con.execute(SQL, [p.user_id])


def _dunder_dict(p: UserParams, ctx: Any) -> None:
    for value in ctx.directory.__dict__.values():
        if hasattr(value, "execute"):
            value.execute(SQL, [p.user_id])


def _vars(p: UserParams, ctx: Any) -> None:
    for value in vars(ctx.directory).values():
        if hasattr(value, "execute"):
            value.execute(SQL, [p.user_id])


def _getattribute(p: UserParams, ctx: Any) -> None:
    for name in dir(ctx.directory):
        value = object.__getattribute__(ctx.directory, name)
        if hasattr(value, "execute") and hasattr(value, "cursor"):
            value.execute(SQL, [p.user_id])


def _private_helper(p: UserParams, ctx: Any) -> None:
    ctx.directory._rows(SQL, [p.user_id])


def _drop_permissions(p: UserParams, ctx: Any) -> None:
    ctx.directory.permissions = None
    ctx.directory.suspend_user(p.user_id)


def _widen_permissions(p: UserParams, ctx: Any) -> None:
    ctx.permissions = frozenset({"users:write", "users:read"})
    ctx.directory.permissions = frozenset({"users:write", "users:read"})
    ctx.directory.suspend_user(p.user_id)


def _setattr_bypass(p: UserParams, ctx: Any) -> None:
    object.__setattr__(ctx.directory, "permissions", None)
    ctx.directory.suspend_user(p.user_id)


def _new_directory(p: UserParams, ctx: Any) -> None:
    cls = type(ctx.directory)
    con = next(iter(_connections(ctx.directory)))
    cls(con).suspend_user(p.user_id)


def _on_copy(p: UserParams, ctx: Any) -> None:
    other = ctx.directory.on(next(iter(_connections(ctx))))
    other.permissions = None
    other.suspend_user(p.user_id)


def _try_all(connections: list[Any], user_id: str) -> None:
    errors = []
    for con in connections:
        try:
            con.execute(SQL, [user_id])
            con.execute("commit")
        except Exception as exc:
            errors.append(exc)
    if errors:
        raise RuntimeError(f"{len(errors)} of {len(connections)} refused: {errors[:3]}")


def _closures(p: UserParams, ctx: Any) -> None:
    _try_all(_connections(ctx), p.user_id)


def _globals(p: UserParams, ctx: Any) -> None:
    method = type(ctx.directory).suspend_user
    found: list[Any] = []
    for value in list(method.__globals__.values()):
        found += _connections(value)
    found += _connections(ctx)
    _try_all(found, p.user_id)


def _connectors_mapping(p: UserParams, ctx: Any) -> None:
    for con in _connections(ctx.connectors):
        con.execute(SQL, [p.user_id])


def _cancelled_closure(p: UserParams, ctx: Any) -> None:
    for cell in getattr(ctx.cancelled, "__closure__", None) or ():
        for con in _connections(cell.cell_contents):
            con.execute(SQL, [p.user_id])


def _gc_walk(p: UserParams, ctx: Any) -> None:
    """Write through every DuckDB connection of the process, committing after each write.

    The process holds several cursors of the store at once, some inside a transaction that
    began before this step: once one cursor has written the row, the same write through
    another is refused ("Conflict on update"). The walk therefore goes on past a refusal;
    stopping at the first one made the outcome depend on the order in which
    ``gc.get_objects()`` lists the cursors, that is on what earlier tests had allocated.
    """
    refused: list[Exception] = []
    connections = [o for o in gc.get_objects() if type(o).__name__ == "DuckDBPyConnection"]
    for con in connections:
        try:
            con.execute(SQL, [p.user_id])
        except Exception as exc:
            refused.append(exc)
            continue
        with contextlib.suppress(Exception):  # "no transaction is active": autocommitted
            con.execute("commit")
    if len(refused) == len(connections):
        raise RuntimeError(f"all {len(connections)} connection(s) refused: {refused[:3]}")


def _require_lie(p: UserParams, ctx: Any) -> None:
    ctx.require = lambda *a: None
    ctx.directory._require = lambda *a: None
    ctx.directory.suspend_user(p.user_id)


def _resolve_through_globals(p: UserParams, ctx: Any) -> None:
    """Issue 19.12: a resolver or handle reached through an operation's globals, closure or
    slots (there is none: the directory lives on the run's thread only)."""
    operation = type(ctx.directory).suspend_user
    scope = dict(operation.__globals__)
    cells = [c.cell_contents for c in operation.__closure__ or ()]
    slots = [getattr(ctx.directory, n, None) for n in ("_handle", "_line", "_facts")]
    for value in [*scope.values(), *cells, *slots]:
        for name in ("_resolve", "_target", "_directory", "_granted"):
            candidate = getattr(value, name, None)
            if candidate is not None:
                target = (
                    candidate(getattr(ctx.directory, "_handle", 0))
                    if callable(candidate)
                    else candidate
                )
                target._con.execute(SQL, [p.user_id])
                return
    raise RuntimeError("no resolver, handle or directory behind the operations")


def _current_frames(p: UserParams, ctx: Any) -> None:
    """A walk of the interpreter: the run's thread's frames hold the directory it serves."""
    import sys

    for frame in sys._current_frames().values():
        while frame is not None:
            for value in frame.f_locals.values():
                con = getattr(value, "_con", None)
                if con is not None and hasattr(con, "execute"):
                    con.execute(SQL, [p.user_id])
                    return
            frame = frame.f_back
    raise RuntimeError("no directory in any thread's frames")


def _permission_denied_frames(p: UserParams, ctx: Any) -> None:
    """Issue 19.12: the directory in the locals of a refused call's traceback frames."""
    try:
        ctx.directory.suspend_user(p.user_id)  # refused: read_only
    except wfbench.PermissionDenied as exc:
        tb = exc.__traceback__
        while tb is not None:
            for value in tb.tb_frame.f_locals.values():
                con = getattr(value, "_con", None)
                if con is not None and hasattr(con, "execute"):
                    con.execute(SQL, [p.user_id])
                    return
            tb = tb.tb_next
    raise RuntimeError("no directory in the traceback's frames")


ATTACKS: dict[str, Callable[[UserParams, Any], None]] = {
    "ctx.directory._con": _private_con,
    "__dict__": _dunder_dict,
    "vars()": _vars,
    "object.__getattribute__": _getattribute,
    "private helper _rows": _private_helper,
    "permissions = None": _drop_permissions,
    "widen permissions": _widen_permissions,
    "object.__setattr__": _setattr_bypass,
    "type(directory)(con)": _new_directory,
    "directory.on(con)": _on_copy,
    "closures and attributes": _closures,
    "module globals": _globals,
    "ctx.connectors": _connectors_mapping,
    "ctx.cancelled closure": _cancelled_closure,
    "_require patched": _require_lie,
    "gc.get_objects": _gc_walk,
    "_resolve via __globals__": _resolve_through_globals,
    "PermissionDenied traceback frames": _permission_denied_frames,
    "sys._current_frames": _current_frames,
}
# Attacks that still get through: a handler is Python code in this process, and a walk of
# the interpreter itself (every object, every thread's frames) finds the connection. Only
# process isolation of handlers can stop it (README, "A custom action's reach": known
# reaches). Strict: if one stops getting through, the list must shrink.
GETS_THROUGH = {"gc.get_objects", "sys._current_frames"}


def _params() -> list[Any]:
    out = []
    for name in ATTACKS:
        marks = []
        if name in GETS_THROUGH:
            reason = f"issue 10.7: a no-permission custom action suspends a user via {name}"
            reason += " (a walk of the interpreter: only process isolation stops it; README)"
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        out.append(pytest.param(name, id=name, marks=marks))
    return out


@pytest.mark.parametrize("attack", _params())
def test_custom_action_cannot_bypass_run_as(demo_store: Path, attack: str) -> None:
    wb = Workbench(str(demo_store))
    handler = ATTACKS[attack]

    def run(params: UserParams, ctx: Any) -> Nothing:
        try:
            handler(params, ctx)
        except wfbench.WfbenchError:
            raise
        except Exception as exc:
            raise wfbench.ActionError(f"attack failed: {type(exc).__name__}: {exc}") from None
        return Nothing()

    wb.action("attack.sneak", input=UserParams, output=Nothing, permissions=())(run)
    frame = wb.sql("select id, email from users where status = 'active' order by email limit 1")
    user_id, email = str(frame.iloc[0, 0]), str(frame.iloc[0, 1])
    wb.save(
        workflow(
            [
                {
                    "id": "sneak",
                    "kind": "action",
                    "action": "attack.sneak",
                    "with": {"user_id": "{{ input.user_id }}"},
                }
            ],
            schema={"type": "object", "properties": {"user_id": {"type": "string"}}},
            name="Sneak",
            run_as="read_only",
        )
    )
    with contextlib.suppress(wfbench.WfbenchError):
        wb.run("Sneak", {"user_id": user_id})
    assert user_status(Workbench(str(demo_store)), email) == "active", f"suspended via {attack}"


def test_builtin_suspend_refused_for_read_only(demo_store: Path) -> None:
    """Regression guard: a built-in write under read_only is refused at save."""
    doc = workflow(
        [{"id": "s", "kind": "action", "action": "users.suspend", "with": {"user_id": "u1"}}],
        name="Nope",
        run_as="read_only",
    )
    assert not wfbench.validate(doc).valid
