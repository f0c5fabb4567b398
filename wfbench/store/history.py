"""Run history: runs and steps, written by a run's recorder, read as records or frames.

A single-row statement costs about a millisecond, so a run's steps are appended
as one Arrow batch in one statement (:meth:`History.write_steps`), never row by
row. Both tables follow :mod:`wfbench.runs`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import duckdb

from wfbench.errors import BadArgument, NotFound, QueryFailed
from wfbench.runs import (
    RUN_FIELDS,
    RUN_STATUSES,
    STEP_FIELDS,
    UNFINISHED_STATUSES,
    step_schema,
)
from wfbench.store.definitions import Definitions
from wfbench.store.rows import FINAL as _FINAL
from wfbench.store.rows import RUN_JSON as _RUN_JSON
from wfbench.store.rows import STEP_JSON as _STEP_JSON
from wfbench.store.rows import end_values, step_values
from wfbench.store.schema import stored_time
from wfbench.store.session import check_keys, decode, encode, utc

if TYPE_CHECKING:
    import pandas as pd

_UNFINISHED: Final = UNFINISHED_STATUSES
#: Up to this many step rows go in as one ``VALUES`` statement, more as an Arrow batch.
#: Measured on step rows (median ms, VALUES / Arrow): 1 row 0.73 / 0.96, 4 rows 0.97 /
#: 1.02, 8 rows 1.21 / 0.97, 16 rows 1.8 / 1.1. Past the break-even a few rows more cost
#: little against the quarter second that building an Arrow table costs a fresh process
#: (it imports pyarrow and pandas): a CLI run of a short workflow pays neither.
_VALUES_ROWS: Final = 8
#: …and up to this many while pyarrow is not loaded yet: a CLI run of a workflow of a few
#: dozen steps would otherwise pay pyarrow's and pandas's import (about 0.4 s) for one
#: insert; one VALUES statement of 64 rows costs a few milliseconds.
_VALUES_ROWS_COLD: Final = 64


class History(Definitions):
    """Runs and their steps (the workflow filter of :meth:`runs` reads definitions)."""

    def begin_run(
        self, run: Mapping[str, Any], *, con: duckdb.DuckDBPyConnection | None = None
    ) -> None:
        """Record a run that starts now (``running``, or ``queued``) and hold it as active.

        With ``con`` (from :meth:`new_cursor`) the row joins that cursor's transaction."""
        record = dict(run)
        record.setdefault("status", "running")
        if record["status"] not in _UNFINISHED:
            raise ValueError(f"begin_run takes status queued or running, not {record['status']!r}")
        self._insert_run(record, "begin_run", con)
        self._remember_active(str(record["run_id"]))

    def record_finished_run(
        self, run: Mapping[str, Any], *, con: duckdb.DuckDBPyConnection | None = None
    ) -> None:
        """Record in one row a run that ended before anything of it was written."""
        record = dict(run)
        if record.get("status") not in _FINAL:
            raise ValueError(
                f"record_finished_run takes a final status, not {record.get('status')!r}"
            )
        self._insert_run(record, "record_finished_run", con)

    def record_rejected(self, run: Mapping[str, Any]) -> str:
        """Keep a refused start in history (status ``rejected``); returns its run id.

        ``reasons`` is a list of ``{"pointer", "message"}`` (``(pointer, message)``
        pairs are accepted too). A missing ``run_id`` is made with ``ids("run")``.
        """
        record = dict(run)
        record["status"] = "rejected"
        record.setdefault("run_id", self._ids("run"))
        record["reasons"] = [
            r if isinstance(r, Mapping) else {"pointer": r[0], "message": r[1]}
            for r in record.get("reasons") or []
        ]
        record.setdefault("started_at", self._now())
        record.setdefault("ended_at", record["started_at"])
        record.setdefault("duration_ms", 0.0)
        self._insert_run(record, "record_rejected")
        return str(record["run_id"])

    def _insert_run(
        self, record: dict[str, Any], what: str, con: duckdb.DuckDBPyConnection | None = None
    ) -> None:
        self._insert_runs([record], what, con)

    def _insert_runs(
        self, records: list[dict[str, Any]], what: str, con: duckdb.DuckDBPyConnection | None
    ) -> None:
        """Run rows in one ``INSERT … VALUES`` statement."""
        values = [v for record in records for v in self.run_values(record, what)]
        row = f"({', '.join('?' * len(RUN_FIELDS))})"
        insert = f"INSERT INTO runs ({', '.join(RUN_FIELDS)}) VALUES " + ", ".join(
            [row] * len(records)
        )
        with self._joined(con) as cur:
            cur.execute(insert, values)

    def run_values(self, record: dict[str, Any], what: str) -> list[Any]:
        """A run row's values as stored, in :data:`RUN_FIELDS` order (``record`` gains its
        defaults: ``started_at`` now, ``dry_run`` false); ``what`` names the caller in
        the error about an unknown field or a missing run id."""
        check_keys(record, RUN_FIELDS, what)
        if not record.get("run_id"):
            raise ValueError(f"{what} needs a run_id")
        record.setdefault("started_at", self._now())
        record["dry_run"] = bool(record.get("dry_run", False))
        values = []
        for field in RUN_FIELDS:
            value = record.get(field)
            if field in _RUN_JSON:
                value = encode(value)
            elif isinstance(value, datetime):
                value = stored_time(value)
            values.append(value)
        return values

    def record_runs(
        self,
        starts: Sequence[Mapping[str, Any]],
        ends: Sequence[Mapping[str, Any]],
        *,
        con: duckdb.DuckDBPyConnection,
    ) -> None:
        """Many runs' rows at once, in ``con``'s transaction (a batch's group commit):
        ``starts`` are rows to insert (a run starting, or one that ended before anything of
        it was written), ``ends`` the keyword arguments of :meth:`finish_run` with
        ``run_id``; one statement each instead of one per run."""
        if starts:
            records = [dict(r) for r in starts]
            for r in records:
                if r.get("status") not in (*_UNFINISHED, *_FINAL):
                    raise ValueError(f"record_runs: no run status {r.get('status')!r}")
            self._insert_runs(records, "record_runs", con)
            for r in records:
                if r["status"] in _UNFINISHED:
                    self._remember_active(str(r["run_id"]))
        if not ends:
            return
        row = "(?::VARCHAR, ?::VARCHAR, ?::VARCHAR, ?::VARCHAR, ?::TIMESTAMP, ?::DOUBLE)"
        values = [v for e in ends for v in end_values(e)]
        update = (
            "UPDATE runs SET status = v.status, output = v.output, error = v.error, "
            "ended_at = v.ended_at, duration_ms = v.duration_ms FROM (VALUES "
            + ", ".join([row] * len(ends))
            + ") v(run_id, status, output, error, ended_at, duration_ms) "
            "WHERE runs.run_id = v.run_id"
        )
        done = con.execute(update, values).fetchone()
        for e in ends:
            self._forget_active(str(e["run_id"]))
        if done is None or done[0] != len(ends):
            raise NotFound(f"{len(ends)} runs to finish, {done[0] if done else 0} found")

    def write_steps(
        self, steps: Sequence[Mapping[str, Any]], *, con: duckdb.DuckDBPyConnection | None = None
    ) -> None:
        """Append step records in one statement (a ``VALUES`` list for a few rows, an
        Arrow batch for more).

        Joins the caller's transaction if this thread's cursor (or ``con``, a cursor from
        :meth:`new_cursor`) has one open.
        ``params`` and ``output`` are stored as JSON; a ``change`` given as a
        list of strings is stored as one text, one change per line.
        """
        if not steps:
            return
        rows = [step_values(step) for step in steps]
        cold = "pyarrow" not in sys.modules
        if len(steps) <= (_VALUES_ROWS_COLD if cold else _VALUES_ROWS):
            self._insert_values(rows, con)
            return
        columns = {name: [row[i] for row in rows] for i, name in enumerate(STEP_FIELDS)}
        import pyarrow as pa  # type: ignore[import-untyped]

        # DuckDB reads the local variable by its name (a replacement scan): one statement.
        _wfbench_step_batch = pa.Table.from_pydict(columns, schema=step_schema())
        insert = f"INSERT INTO steps ({', '.join(STEP_FIELDS)}) SELECT * FROM _wfbench_step_batch"
        with self._joined(con) as cur:
            cur.execute(insert)

    def _insert_values(self, rows: list[list[Any]], con: duckdb.DuckDBPyConnection | None) -> None:
        """A small batch as one multi-row ``VALUES`` statement: cheaper than an Arrow
        scan up to a handful of rows, and it needs neither pyarrow nor pandas."""
        row = f"({', '.join('?' * len(STEP_FIELDS))})"
        insert = f"INSERT INTO steps ({', '.join(STEP_FIELDS)}) VALUES " + ", ".join(
            [row] * len(rows)
        )
        values = [v for r in rows for v in r]
        with self._joined(con) as cur:
            cur.execute(insert, values)

    def finish_run(
        self,
        run_id: str,
        *,
        status: str,
        output: Any,
        error: str | None,
        ended_at: datetime,
        duration_ms: float,
        con: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        """Record how a run ended and stop holding it as active (in ``con``'s transaction
        when given)."""
        if status not in _FINAL:
            raise ValueError(f"finish_run takes status {', '.join(_FINAL)}, not {status!r}")
        update = (
            "UPDATE runs SET status = ?, output = ?, error = ?, ended_at = ?, "
            "duration_ms = ? WHERE run_id = ?"
        )
        values = [status, encode(output), error, stored_time(ended_at), duration_ms, run_id]
        with self._joined(con) as cur:
            row = cur.execute(update, values).fetchone()
        self._forget_active(run_id)
        if row is None or row[0] == 0:
            raise NotFound(f"no run {run_id!r} to finish; begin_run records it first")

    def find_run_by_idempotency_key(self, workflow_id: str, key: str) -> dict[str, Any] | None:
        """The newest run of ``workflow_id`` started with ``key``; rejected starts do not count."""
        with self.session() as cur:
            row = cur.execute(
                f"SELECT {', '.join(RUN_FIELDS)} FROM runs WHERE workflow_id = ? "
                "AND idempotency_key = ? AND status <> 'rejected' "
                "ORDER BY started_at DESC, rowid DESC LIMIT 1",
                [workflow_id, key],
            ).fetchone()
        return None if row is None else _run_record(row)

    def get_run(self, run_id: str) -> dict[str, Any]:
        """The run record with ``"steps"``: its step records ordered by ``seq``."""
        with self.session() as cur:
            row = cur.execute(
                f"SELECT {', '.join(RUN_FIELDS)} FROM runs WHERE run_id = ?", [run_id]
            ).fetchone()
            if row is None:
                raise NotFound(f"no run {run_id!r}; list runs with runs() or `wfbench runs`")
            steps = cur.execute(
                f"SELECT {', '.join(STEP_FIELDS)} FROM steps WHERE run_id = ? ORDER BY seq, rowid",
                [run_id],
            ).fetchall()
        record = _run_record(row)
        record["steps"] = [_step_record(s) for s in steps]
        return record

    def runs(
        self,
        *,
        workflow: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        batch: str | None = None,
    ) -> pd.DataFrame:
        """Runs, newest first, optionally of one workflow (id or name), one status, one
        batch, and started in ``[since, until)`` (a naive time is taken as UTC). Every
        filter and the limit run in SQL; the JSON columns are decoded when read
        (:mod:`wfbench.store.json_column`)."""
        with self.session() as cur:
            query, params = self._runs_query(
                cur,
                workflow=workflow,
                status=status,
                limit=limit,
                offset=offset,
                since=since,
                until=until,
                batch=batch,
            )
            return _frame(cur, query, params, _RUN_JSON)

    def run_rows(
        self,
        *,
        workflow: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """:meth:`runs` as column names and plain rows (no pandas; JSON columns as text)."""
        with self.session() as cur:
            query, params = self._runs_query(cur, workflow=workflow, status=status, limit=limit)
            rows = cur.execute(query, params).fetchall()
            return [d[0] for d in cur.description or ()], rows

    def _runs_query(
        self,
        cur: duckdb.DuckDBPyConnection,
        *,
        workflow: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        batch: str | None = None,
    ) -> tuple[str, list[Any]]:
        """The SQL (and its parameters) of :meth:`runs`: every filter in SQL."""
        where: list[str] = []
        params: list[Any] = []
        for clause, value in (
            ("started_at >= ?", None if since is None else stored_time(_time(since))),
            ("started_at < ?", None if until is None else stored_time(_time(until))),
            ("batch_id = ?", batch),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        if workflow is not None:
            where.append(self._workflow_filter(cur, workflow, params))
        if status is not None:
            if status not in RUN_STATUSES:
                raise BadArgument(f"no run status {status!r}; use one of {', '.join(RUN_STATUSES)}")
            where.append("status = ?")
            params.append(status)
        query = f"SELECT {', '.join(RUN_FIELDS)} FROM runs"
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY started_at DESC, rowid DESC"
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        if offset:
            query += " OFFSET ?"
            params.append(offset)
        return query, params

    def _joined(
        self, con: duckdb.DuckDBPyConnection | None
    ) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """``con`` (a run's cursor, in its open transaction) when given, else a session."""
        return contextlib.nullcontext(con) if con is not None else self.session()

    def _workflow_filter(self, cur: duckdb.DuckDBPyConnection, ref: str, params: list[Any]) -> str:
        info = self.find_workflow(ref)
        if info is not None:
            params.append(info.id)
            return "workflow_id = ?"
        known = cur.execute(
            "SELECT 1 FROM workflows WHERE id = ? OR lower(trim(name)) = lower(trim(?)) "
            "UNION ALL SELECT 1 FROM runs WHERE workflow_id = ? "
            "OR lower(trim(workflow)) = lower(trim(?)) LIMIT 1",
            [ref, ref, ref, ref],
        ).fetchone()
        if known is None:
            self.get_workflow(ref)  # raises NotFound naming the known workflows
        params += [ref, ref]
        return "(workflow_id = ? OR lower(trim(workflow)) = lower(trim(?)))"

    def steps(self, run_id: str) -> pd.DataFrame:
        """One run's steps ordered by ``seq``, JSON decoded; :class:`NotFound` for no such run."""
        with self.session() as cur:
            if cur.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone() is None:
                raise NotFound(f"no run {run_id!r}; list runs with runs() or `wfbench runs`")
            query = (
                f"SELECT {', '.join(STEP_FIELDS)} FROM steps WHERE run_id = ? ORDER BY seq, rowid"
            )
            return _frame(cur, query, [run_id], _STEP_JSON)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any SQL over the store's tables, as a DataFrame (JSON columns left as text)."""
        with self.session() as cur:
            # A query that may change workflows (perhaps in a transaction it rolls back
            # later): forget look-ups and cache none while the file stays open.
            self.definitions_changed(uncommitted="workflows" in query.lower())
            try:
                result = cur.execute(query, params)
            except duckdb.Error as exc:
                raise QueryFailed(f"the query failed: {exc}") from exc
            finally:
                self.definitions_changed()
            if result.description is None:
                import pandas as pd

                return pd.DataFrame()
            return result.df()


def _run_record(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(RUN_FIELDS, row, strict=True))
    for name in _RUN_JSON:
        record[name] = decode(record[name])
    for name in ("started_at", "ended_at"):
        record[name] = utc(record[name])
    return record


def _step_record(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(STEP_FIELDS, row, strict=True))
    for name in _STEP_JSON:
        record[name] = decode(record[name])
    for name in ("started_at", "ended_at"):
        record[name] = utc(record[name])
    return record


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise BadArgument(
        f"since/until take a datetime or an ISO 8601 text such as '2026-11-30T09:00Z', "
        f"not {value!r}"
    )


def _frame(
    cur: duckdb.DuckDBPyConnection, query: str, params: list[Any], json_columns: frozenset[str]
) -> pd.DataFrame:
    """The query's rows through Arrow (no row-by-row conversion), JSON decoded on read."""
    from wfbench.store.json_column import json_frame

    cur.complete()  # a look-up's unread result would block the relation below
    # Text as Arrow large_string, the type pandas' Arrow-backed ``str`` columns hold: with
    # DuckDB's default (string) pandas casts, i.e. copies, every text column (issue 22).
    cur.execute("SET arrow_large_buffer_size = true")
    try:
        table = cur.sql(query, params=params).to_arrow_table()
    finally:
        cur.execute("RESET arrow_large_buffer_size")
    return json_frame(table, json_columns)
