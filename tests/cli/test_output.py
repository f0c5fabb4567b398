"""wfbench.cli.output: JSON and text tables for a terminal."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd

from wfbench.cli.output import MAX_CELL, frame_records, print_json, text_table


def test_print_json_is_indented_unicode_with_a_newline() -> None:
    out = io.StringIO()
    print_json({"name": "café", "at": datetime(2026, 1, 1, tzinfo=UTC)}, out)
    assert out.getvalue() == '{\n  "name": "café",\n  "at": "2026-01-01 00:00:00+00:00"\n}\n'


def test_frame_records_gives_iso_times() -> None:
    frame = pd.DataFrame({"n": [1], "at": [pd.Timestamp("2026-01-01T10:00:00Z")]})
    assert frame_records(frame) == [{"n": 1, "at": "2026-01-01T10:00:00.000Z"}]


def test_text_table_aligns_numbers_right_and_makes_cells_safe() -> None:
    at = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=1)))
    table = text_table(["name", "n", "at"], [("a\x1b", 5, at), ("bb", 10, None)])
    assert table.splitlines() == [
        "name    n  at",
        "a\\x1b   5  2026-01-01T11:00:00Z",
        "bb     10  -",
    ]


def test_long_cells_are_cut_with_dots() -> None:
    (_, row) = text_table(["t"], [("x" * 100,)]).splitlines()
    assert row == "x" * (MAX_CELL - 3) + "..."
