"""What every command shares: JSON printing and the workbench of ``--db``."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from wfbench.workbench import Workbench


def print_json(value: Any, out: TextIO) -> None:
    out.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def workbench(args: argparse.Namespace, *, hold: bool = True) -> Workbench:
    """The workbench on ``--db`` (imported here, so ``wfbench --help`` stays light).

    An existing store file is held until the command ends (``main`` lets go of it), so a
    command opens it once however many operations it makes; a missing one is left to
    the command (``validate`` and ``roles`` must not create it). ``serve`` passes
    ``hold=False``: the server takes and lets go of the file itself."""
    from wfbench.workbench import Workbench

    wb = Workbench(args.db, user="cli")
    held: contextlib.ExitStack | None = getattr(args, "held", None)
    if hold and held is not None and os.path.exists(wb.path):
        held.enter_context(wb.hold())
    return wb


def frame_records(frame: Any) -> list[dict[str, Any]]:
    """A DataFrame's rows as JSON-ready dicts (times in ISO 8601)."""
    rows: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return rows
