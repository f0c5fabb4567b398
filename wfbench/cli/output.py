"""What every command shares: JSON printing, text tables and the workbench of ``--db``."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from wfbench.printable import printable

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


#: The widest a text cell is printed (longer ones end in "...").
MAX_CELL = 60


def text_table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Rows as an aligned text table for a terminal (no pandas): numbers to the right,
    times in UTC (ISO 8601), nothing as ``-``, long or unprintable text made safe."""
    values = [list(row) for row in rows]
    cells = [[_cell(v) for v in row] for row in values]
    numeric = [
        all(isinstance(row[i], int | float) and not isinstance(row[i], bool) for row in values)
        for i in range(len(columns))
    ]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if right else v.ljust(w)
            for v, w, right in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(columns), *(line(r) for r in cells)]) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, float):
        return f"{value:.1f}"
    text = printable(str(value))
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."
