"""wfbench.store.json_column: JSON columns read into pandas without decoding twice."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from wfbench.store.json_column import JsonArray, json_frame


def _table() -> pa.Table:
    return pa.table(
        {
            "id": ["r1", "r2", "r3"],
            "output": ['{"a": [1, 2]}', None, '"text"'],
            "started_at": pa.array([datetime(2026, 1, 1, 12)] * 3, pa.timestamp("us")),
        }
    )


def test_json_columns_decode_and_times_are_utc() -> None:
    frame = json_frame(_table(), frozenset({"output"}))
    assert list(frame.columns) == ["id", "output", "started_at"]
    assert list(frame["output"]) == [{"a": [1, 2]}, None, "text"]
    assert isinstance(frame["output"].array, JsonArray)
    assert str(frame["started_at"].dtype) == "datetime64[us, UTC]"
    assert frame["output"].isna().tolist() == [False, True, False]


def test_a_json_column_filters_copies_and_compares() -> None:
    frame = json_frame(_table(), frozenset({"output"}))
    kept = frame[frame["id"] != "r2"]
    assert list(kept["output"]) == [{"a": [1, 2]}, "text"]
    assert list(frame["output"].copy()) == list(frame["output"])
    assert (frame["output"] == "text").tolist() == [False, False, True]
