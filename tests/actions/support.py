"""Helpers of the handler tests: a step's context on a seeded directory, and a call."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb

from wfbench.actions import ActionSpec, builtin_registry
from wfbench.actions.context import ActionContext
from wfbench.directory import Directory
from wfbench.roles import PERMISSIONS

REGISTRY = builtin_registry()
EVERYTHING = frozenset(PERMISSIONS)
ADA = "ada.lovelace@example.com"
NOW = datetime(2026, 2, 1, 12, 30, tzinfo=UTC)


def context(
    con: duckdb.DuckDBPyConnection | None, *, permissions: frozenset[str] = EVERYTHING
) -> ActionContext:
    """A step's context on the directory of ``con`` (none when ``con`` is None)."""
    directory = (
        None
        if con is None
        else Directory(con, permissions, run_id="run-7", clock=lambda: NOW, dry_run=False)
    )
    return ActionContext(
        run_id="run-7", path="step", dry_run=False, permissions=permissions, directory=directory
    )


def call(name: str, params: dict[str, Any], ctx: ActionContext) -> Any:
    """Call the built-in ``name``'s handler as the engine does: validated params in."""
    spec = REGISTRY.get(name)
    assert spec.handler is not None
    result = spec.handler(spec.input_model.model_validate(params), ctx)
    assert isinstance(result, spec.output_model)
    return result


def flags(specs: tuple[ActionSpec, ...]) -> dict[str, tuple[bool, bool, bool]]:
    """Each spec's (side_effects, callable_in_dry_run, batched), by name."""
    return {s.name: (s.side_effects, s.callable_in_dry_run, s.batched) for s in specs}


def one(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> Any:
    row = con.execute(sql, list(params)).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row


def ada(con: duckdb.DuckDBPyConnection) -> str:
    return str(one(con, "SELECT id FROM users WHERE email = ?", ADA))
