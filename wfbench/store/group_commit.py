"""One commit for the history records of many runs going on at once (issue 22, item 1).

A batch runs many workflows at once on threads of one process. Each run used to commit its
own records (its row at start, each step, its end) one at a time under the batch's single
writer lock, so a batch of network calls waited on the writer, not on the network. A
:class:`GroupCommit` is shared by a batch's runs: a run hands it what it has to write and
waits; the first waiting run becomes the leader, writes every waiting run's records in one
transaction on a cursor of its own, commits once and wakes them all. Runs that arrive
meanwhile wait for the next group, which the next of them leads (the classic group commit
of databases' logs).

The promise is unchanged: :meth:`GroupCommit.write` returns only once the records are
committed, and a run tells its listeners of a step only after that. If the group's
transaction fails, each run's records are tried again in a transaction of their own, so
one run's bad record never costs another run its records; the failing run gets the error.

Only records go this way: a run's rows, step records, ends and effect marks (a mark that
must be durable before its call is, once :meth:`GroupCommit.write` returned). A run's
directory changes still commit with their own records on the run's cursor, one at a time
under the batch's writer lock (:func:`wfbench.batch.one_writer`).

A group's records go through DuckDB appenders held on a cursor the group keeps
(:class:`_Appenders`): one per table (run rows, ends, steps, effect marks), each flushed as
one statement in the group's transaction. Nothing is parsed or planned from SQL text per
group and no parameter is bound one by one, which is what a multi-row ``INSERT … VALUES``
spends its time on (measured: 16 run rows cost 1.5–2.2 ms of CPU through a held appender,
4.3–6.8 ms as one ``INSERT … VALUES``; 16 ends 1.7–2.6 ms against 4.1–5.3 ms as one
``UPDATE … FROM (VALUES …)``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from wfbench.actions.context import Connector
from wfbench.runs import RUN_FIELDS, STEP_FIELDS, UNFINISHED_STATUSES
from wfbench.store import Store
from wfbench.store.rows import (
    EFFECT_FIELDS,
    END_FIELDS,
    FINAL,
    effect_values,
    end_values,
    step_values,
)

__all__ = ["GroupCommit", "Records"]

Write = Callable[[duckdb.DuckDBPyConnection], None]


@dataclass
class Records:
    """What one run has to write: run rows to insert (``starts``: a run starting, or one
    that ended before anything of it was written), step records, effect marks
    (:mod:`wfbench.store.effects`: a side effect about to start, durable before it is
    called) and how runs ended (:meth:`~wfbench.store.history.History.finish_run`'s
    keywords with ``run_id``)."""

    starts: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    marks: list[dict[str, Any]] = field(default_factory=list)
    ends: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.starts or self.steps or self.marks or self.ends)


@dataclass
class _Ticket:
    write: Write | Records
    done: bool = False
    error: BaseException | None = None
    woken: threading.Event = field(default_factory=threading.Event)
    """Set once its group committed (``done``), or to hand it the lead of the next group."""


class GroupCommit:
    """The records of a batch's runs, committed together (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._appenders: _Appenders | None = None
        self._lock = threading.Lock()
        self._waiting: list[_Ticket] = []
        self._leading = False
        self._connectors: dict[str, Connector] | None = None
        self.commits = 0
        """How many group transactions committed (tests and benchmarks read it)."""

    def connectors(self) -> dict[str, Connector]:
        """The store's connectors, read once for the whole batch."""
        with self._lock:
            if self._connectors is None:
                self._connectors = self.store.connectors()
            return self._connectors

    def write(self, write: Write | Records) -> None:
        """Write ``write`` (:class:`Records`, or a function of a cursor inside a
        transaction) with the next group and return once that group committed; raises what
        the writing or the commit raised. Every run's :class:`Records` of a group go in one
        statement per kind (run rows, step records, ends, effect marks).

        Each waiting run is woken once, when its group committed (or to lead the next
        group), never by every commit: with 32 runs waiting, waking all of them at each
        commit cost every run a trip through the lock and the GIL per group."""
        ticket = _Ticket(write)
        with self._lock:
            self._waiting.append(ticket)
            lead, self._leading = not self._leading, True
        if not lead:
            ticket.woken.wait()
            if ticket.done:
                if ticket.error is not None:
                    raise ticket.error
                return
        with self._lock:  # this run leads: the group is every run waiting now
            group, self._waiting = self._waiting, []
        try:
            self._commit(group)
        finally:
            with self._lock:
                after = self._waiting[0] if self._waiting else None
                self._leading = after is not None
            for waiting in group:
                waiting.woken.set()
            if after is not None:  # the first run that came meanwhile leads the next group
                after.woken.set()
        if ticket.error is not None:
            raise ticket.error

    def _commit(self, group: list[_Ticket]) -> None:
        """Commit ``group``; each ticket ends done, with its error if its records were not
        committed (never done without one when they were not)."""
        try:
            # Only the leader is here: the group's cursor and appenders are its alone.
            con = self.store.kept_cursor(self)
            if self._appenders is None or self._appenders.con is not con:  # file reopened
                self._appenders = _Appenders(self.store, con)
            appenders = self._appenders
            try:
                con.begin()
                self._write(con, appenders, group)
                con.commit()
                self.commits += 1
            except BaseException:
                _abandon(con, appenders)
                self._one_by_one(con, appenders, group)  # each ticket its own outcome
        except BaseException as exc:  # the group's cursor itself failed
            for ticket in group:
                if ticket.error is None:
                    ticket.error = exc
            raise
        finally:
            for ticket in group:
                ticket.done = True

    def _write(
        self, con: duckdb.DuckDBPyConnection, appenders: _Appenders, group: list[_Ticket]
    ) -> None:
        merged = Records()
        for ticket in group:
            if isinstance(ticket.write, Records):
                merged.starts += ticket.write.starts
                merged.steps += ticket.write.steps
                merged.marks += ticket.write.marks
                merged.ends += ticket.write.ends
            else:
                ticket.write(con)
        appenders.write(merged)

    def _one_by_one(
        self, con: duckdb.DuckDBPyConnection, appenders: _Appenders, group: list[_Ticket]
    ) -> None:
        for ticket in group:
            try:
                con.begin()
                self._write(con, appenders, [ticket])
                con.commit()
            except BaseException as exc:
                ticket.error = exc
                _abandon(con, appenders)


def _abandon(con: duckdb.DuckDBPyConnection, appenders: _Appenders) -> None:
    """Drop what a failed write left buffered and roll its transaction back."""
    with contextlib.suppress(duckdb.Error):
        appenders.clear()
    with contextlib.suppress(duckdb.Error):  # nothing open to roll back
        con.rollback()


class _Appenders:
    """The group's appenders on its cursor, one per kind of record; each flush is one
    statement in the cursor's open transaction."""

    def __init__(self, store: Store, con: duckdb.DuckDBPyConnection) -> None:
        self.store = store
        self.con = con
        self.runs = con.appender("runs", columns=list(RUN_FIELDS))
        self.ends = con.appender("runs", columns=list(END_FIELDS), action="update", key=["run_id"])
        self.steps = con.appender("steps", columns=list(STEP_FIELDS))
        self.marks = con.appender("effects", columns=list(EFFECT_FIELDS))

    def write(self, records: Records) -> None:
        """Every record, run rows first (an end in the same group finds its row)."""
        starts = [dict(r) for r in records.starts]
        for r in starts:
            if r.get("status") not in (*UNFINISHED_STATUSES, *FINAL):
                raise ValueError(f"record_runs: no run status {r.get('status')!r}")
        # Every value is checked and converted before the first flush.
        batches = [
            (self.runs, [self.store.run_values(r, "record_runs") for r in starts]),
            (self.ends, [end_values(e) for e in records.ends]),
            (self.steps, [step_values(s) for s in records.steps]),
            (self.marks, [effect_values(m) for m in records.marks]),
        ]
        for appender, rows in batches:
            if rows:
                appender.append_rows(rows)
                appender.flush()
        # An end always follows its run's row, committed by an earlier group (or the run's
        # own cursor): a recorder never ends a run it has not written.
        for r in starts:
            if r["status"] not in FINAL:
                self.store._remember_active(str(r["run_id"]))
        for e in records.ends:
            self.store._forget_active(str(e["run_id"]))

    def clear(self) -> None:
        """Drop what a failed write left buffered."""
        for appender in (self.runs, self.ends, self.steps, self.marks):
            appender.clear()
