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

Only records go this way. A run's directory changes still commit with their own records on
the run's cursor, one at a time under the batch's writer lock
(:func:`wfbench.batch.one_writer`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from wfbench.actions.context import Connector
from wfbench.store import Store

__all__ = ["GroupCommit", "Records"]

Write = Callable[[duckdb.DuckDBPyConnection], None]


@dataclass
class Records:
    """What one run has to write: run rows to insert (``starts``: a run starting, or one
    that ended before anything of it was written), step records, and how runs ended
    (:meth:`~wfbench.store.history.History.finish_run`'s keywords with ``run_id``)."""

    starts: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    ends: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.starts or self.steps or self.ends)


@dataclass
class _Ticket:
    write: Write | Records
    done: bool = False
    error: BaseException | None = None


class GroupCommit:
    """The records of a batch's runs, committed together (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cond = threading.Condition()
        self._waiting: list[_Ticket] = []
        self._leading = False
        self._connectors: dict[str, Connector] | None = None
        self.commits = 0
        """How many group transactions committed (tests and benchmarks read it)."""

    def connectors(self) -> dict[str, Connector]:
        """The store's connectors, read once for the whole batch."""
        with self._cond:
            if self._connectors is None:
                self._connectors = self.store.connectors()
            return self._connectors

    def write(self, write: Write | Records) -> None:
        """Write ``write`` (:class:`Records`, or a function of a cursor inside a
        transaction) with the next group and return once that group committed; raises what
        the writing or the commit raised. Every run's :class:`Records` of a group go in one
        statement per kind (run rows, step records, ends)."""
        ticket = _Ticket(write)
        with self._cond:
            self._waiting.append(ticket)
            while not ticket.done and self._leading:
                self._cond.wait()
            if ticket.done:
                if ticket.error is not None:
                    raise ticket.error
                return
            self._leading = True
            group, self._waiting = self._waiting, []
        try:
            self._commit(group)
        finally:
            with self._cond:
                self._leading = False
                self._cond.notify_all()
        if ticket.error is not None:
            raise ticket.error

    def _commit(self, group: list[_Ticket]) -> None:
        con = self.store.run_cursor()
        try:
            try:
                con.begin()
                self._write(con, group)
                con.commit()
                self.commits += 1
            except BaseException:
                con.rollback()
                self._one_by_one(con, group)
        finally:
            for ticket in group:
                ticket.done = True
            self.store.return_cursor(con)

    def _write(self, con: duckdb.DuckDBPyConnection, group: list[_Ticket]) -> None:
        merged = Records()
        for ticket in group:
            if isinstance(ticket.write, Records):
                merged.starts += ticket.write.starts
                merged.steps += ticket.write.steps
                merged.ends += ticket.write.ends
            else:
                ticket.write(con)
        if merged.starts or merged.ends:
            self.store.record_runs(merged.starts, merged.ends, con=con)
        if merged.steps:
            self.store.write_steps(merged.steps, con=con)

    def _one_by_one(self, con: duckdb.DuckDBPyConnection, group: list[_Ticket]) -> None:
        for ticket in group:
            try:
                con.begin()
                self._write(con, [ticket])
                con.commit()
            except BaseException as exc:
                ticket.error = exc
                with contextlib.suppress(duckdb.Error):  # nothing open to roll back
                    con.rollback()
