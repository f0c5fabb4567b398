"""The custom actions of ``bench/scale.py``, in a module Dask workers can import."""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel


class CpuIn(BaseModel):
    rounds: int


class CpuOut(BaseModel):
    total: int
    pid: int


def cpu(params: CpuIn, ctx: Any) -> CpuOut:
    """About 20 ms of pure Python (calibrated by ``scale.py``)."""
    total = 0
    for i in range(params.rounds):
        total = (total + i * i) % 1_000_003
    return CpuOut(total=total, pid=os.getpid())


class NopIn(BaseModel):
    n: int = 0


class NopOut(BaseModel):
    n: int


def nop(params: NopIn, ctx: Any) -> NopOut:
    """Nothing at all: what is left is the orchestration."""
    return NopOut(n=params.n)


def register(wb: Any) -> None:
    wb.action("bench.cpu", input=CpuIn, output=CpuOut, side_effects=False, remote=True)(cpu)
    wb.action("bench.nop", input=NopIn, output=NopOut, side_effects=False, remote=True)(nop)
    wb.action("bench.nop_effect", input=NopIn, output=NopOut, remote=True)(nop)


def workflow(
    name: str, action: str, with_: dict[str, Any], run_as: str = "read_only"
) -> dict[str, Any]:
    return {
        "format": "wfbench/v1",
        "name": name,
        "type": "manual",
        "run_as": run_as,
        "trigger": {"input_schema": {"type": "object"}},
        "steps": [{"id": "work", "kind": "action", "action": action, "with": with_}],
    }
