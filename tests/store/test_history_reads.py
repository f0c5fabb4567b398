"""History reads at DuckDB speed (issue 12, item 4): UTC times, lazy JSON, SQL filters,
and the migration of a store written before history times were plain UTC."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from wfbench.errors import WfbenchError
from wfbench.store import Store
from wfbench.store.json_column import JsonArray
from wfbench.store.schema import SCHEMA_VERSION

from .support import T0, run_record, step, workflow


def _history(store: Store, n: int = 6) -> None:
    info = store.save_definition(workflow("A"))
    for i in range(n):
        store.begin_run(
            run_record(f"r{i}", info, started_at=T0 + timedelta(hours=i), input={"i": i})
        )
        store.finish_run(
            f"r{i}",
            status="failed" if i % 2 else "succeeded",
            output=None if i == 0 else {"n": i, "list": [i, "x"]},
            error=None,
            ended_at=T0 + timedelta(hours=i, seconds=1),
            duration_ms=1000.0,
        )


def test_history_times_are_stored_as_utc_timestamps(store: Store) -> None:
    _history(store, 1)
    kinds = store.sql(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_name IN ('runs', 'steps') AND column_name LIKE '%_at'"
    )
    assert set(kinds["data_type"]) == {"TIMESTAMP"}
    # UTC wall clock in SQL, whatever zone the caller's datetime had
    paris = timezone(timedelta(hours=1))
    store.begin_run({"run_id": "tz", "started_at": datetime(2025, 3, 1, 11, 0, tzinfo=paris)})
    raw = store.sql("SELECT started_at FROM runs WHERE run_id = 'tz'")["started_at"][0]
    assert str(raw) == "2025-03-01 10:00:00"
    record = store.get_run("tz")
    assert record["started_at"] == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    frame = store.runs()
    assert str(frame["started_at"].dtype) == "datetime64[us, UTC]"
    assert str(frame["ended_at"].dtype) == "datetime64[us, UTC]"
    # per-day grouping straight on the column
    days = store.sql(
        "SELECT date_trunc('day', started_at) AS d, count(*) AS n FROM runs GROUP BY d"
    )
    assert days["n"].sum() == 2


def test_json_columns_decode_when_read(store: Store) -> None:
    _history(store)
    frame = store.runs()
    assert isinstance(frame["output"].array, JsonArray)
    assert str(frame["input"].dtype) == "json"
    assert frame["input"][0] == {"i": 5}  # newest first
    assert frame["output"].tolist() == [{"n": i, "list": [i, "x"]} for i in range(5, 0, -1)] + [
        None
    ]
    assert frame["reasons"].isna().all()
    assert frame.iloc[1]["input"] == {"i": 4}
    failed = frame[frame["status"] == "failed"]
    assert failed["input"].tolist() == [{"i": 5}, {"i": 3}, {"i": 1}]
    assert frame["input"].apply(lambda v: v["i"]).tolist() == [5, 4, 3, 2, 1, 0]
    assert frame.sort_values("run_id")["input"].tolist()[0] == {"i": 0}
    rows = json.loads(frame[["run_id", "output"]].to_json(orient="records"))
    assert rows[0] == {"run_id": "r5", "output": {"n": 5, "list": [5, "x"]}}
    assert rows[-1]["output"] is None
    assert list(frame["input"].astype(object)) == [{"i": i} for i in range(5, -1, -1)]
    both = pd.concat([frame.head(2), frame.tail(1)])
    assert both["input"].tolist() == [{"i": 5}, {"i": 4}, {"i": 0}]
    assert "{'i': 5}" in frame.to_string()
    exploded = frame[["run_id", "output"]].head(2).explode("output")
    assert exploded["output"].tolist() == [{"n": 5, "list": [5, "x"]}, {"n": 4, "list": [4, "x"]}]


def test_a_list_column_explodes_into_rows(store: Store) -> None:
    store.begin_run({"run_id": "rj"})
    store.record_rejected({"run_id": "rr", "reasons": [("/a", "first"), ("/b", "second")]})
    store.record_rejected({"run_id": "r0", "reasons": []})
    rejected = store.runs(status="rejected")[["run_id", "reasons"]].explode("reasons")
    assert sorted(rejected["run_id"]) == ["r0", "rr", "rr"]  # an empty list: one NaN row
    messages = rejected["reasons"].dropna().map(lambda r: r["message"]).tolist()
    assert sorted(messages) == ["first", "second"]


def test_steps_frame_decodes_json_the_same_way(store: Store) -> None:
    store.begin_run({"run_id": "r"})
    store.write_steps([step("r", i, output={"seq": i}) for i in range(1, 13)])  # Arrow batch
    store.write_steps([step("r", 13, output=[1, 2])])  # VALUES batch
    frame = store.steps("r")
    assert frame["seq"].tolist() == list(range(1, 14))
    assert frame["output"].tolist() == [{"seq": i} for i in range(1, 13)] + [[1, 2]]
    assert str(frame["started_at"].dtype) == "datetime64[us, UTC]"


def test_filters_run_in_sql(store: Store) -> None:
    _history(store)
    assert store.runs(since=T0 + timedelta(hours=4))["run_id"].tolist() == ["r5", "r4"]
    assert store.runs(until=T0 + timedelta(hours=2))["run_id"].tolist() == ["r1", "r0"]
    window = store.runs(since="2025-03-01T10:00:00+00:00", until="2025-03-01T12:00Z")
    assert window["run_id"].tolist() == ["r2", "r1"]
    naive = store.runs(since=datetime(2025, 3, 1, 13, 0))  # naive = UTC
    assert naive["run_id"].tolist() == ["r5", "r4"]
    assert store.runs(status="failed", since=T0, limit=2)["run_id"].tolist() == ["r5", "r3"]
    assert store.runs(workflow="A", until=T0)["run_id"].tolist() == []
    with pytest.raises(WfbenchError, match="since/until take a datetime or an ISO 8601 text"):
        store.runs(since="yesterday")


def test_an_older_store_is_migrated_in_place(db: Path) -> None:
    """A version-1 file (history times TIMESTAMPTZ) opens, keeps its runs, same instants."""
    con = duckdb.connect(str(db))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    now = Store(":memory:").sql(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'runs' ORDER BY ordinal_position"
    )
    columns = [
        f"{name} {'TIMESTAMPTZ' if kind == 'TIMESTAMP' else kind}"
        for name, kind in zip(now["column_name"], now["data_type"], strict=True)
    ]
    con.execute(f"CREATE TABLE runs ({', '.join(columns)})")
    con.execute("SET TimeZone = 'Asia/Tokyo'")  # the migration must not depend on it
    con.execute(
        "INSERT INTO runs (run_id, status, started_at, ended_at) VALUES "
        "('old', 'succeeded', TIMESTAMPTZ '2025-03-01 09:00:00+00', NULL)"
    )
    con.close()

    s = Store(db)
    kinds = s.sql(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'runs' AND column_name IN ('started_at', 'ended_at')"
    )
    assert set(kinds["data_type"]) == {"TIMESTAMP"}
    assert s.get_run("old")["started_at"] == T0
    assert s.sql("SELECT value FROM meta WHERE key = 'schema_version'")["value"][0] == str(
        SCHEMA_VERSION
    )
    assert s.runs()["run_id"].tolist() == ["old"]
    s.close()


def test_a_json_column_keeps_duckdbs_chunks_and_reads_the_same() -> None:
    """Issue 22: a JSON column keeps the Arrow chunks it was handed (no joined copy); every
    way of reading, filtering, sorting and joining frames still sees decoded values."""
    import pyarrow as pa

    chunks = [
        pa.array(['{"a": 1}', None, "[1, 2]"], pa.large_string()),
        pa.array(['"x"', '{"b": [true]}'], pa.large_string()),
    ]
    column = pa.chunked_array(chunks)
    array = JsonArray(column)
    assert array._texts.num_chunks == 2
    assert array._texts.chunk(1).buffers()[2].address == chunks[1].buffers()[2].address
    frame = pd.DataFrame({"n": range(5), "v": pd.Series(array)})
    assert frame.v.tolist() == [{"a": 1}, None, [1, 2], "x", {"b": [True]}]
    assert frame.v[4] == {"b": [True]} and frame.v.isna().tolist() == [0, 1, 0, 0, 0]
    assert frame[frame.n > 2].v.tolist() == ["x", {"b": [True]}]
    assert frame.sort_values("n", ascending=False).v.tolist()[0] == {"b": [True]}
    assert frame.iloc[1:3].v.tolist() == [None, [1, 2]]
    small = pd.DataFrame({"v": pd.Series(JsonArray(pa.array(['{"c": 3}'])))})
    joined = pd.concat([frame[["v"]], small], ignore_index=True)
    assert joined.v.tolist()[-2:] == [{"b": [True]}, {"c": 3}]


def test_runs_frame_text_is_arrow_backed_and_times_utc(store: Store) -> None:
    """Text columns come as pandas' Arrow-backed ``str`` over large_string (what DuckDB is
    asked to hand over, so pandas casts nothing) and times as ``datetime64[us, UTC]``."""
    _history(store)
    frame = store.runs()
    assert str(frame.run_id.dtype) == "str"
    assert pa_type(frame.run_id) == "large_string"
    assert str(frame.started_at.dtype) == "datetime64[us, UTC]"
    assert frame.input.dtype.name == "json"


def pa_type(series: pd.Series) -> str:
    return str(series.array._pa_array.type)
