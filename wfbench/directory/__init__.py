"""The embedded directory: a sample organisation kept in DuckDB for actions to act on.

The tables (:data:`DIRECTORY_TABLES`, created by :func:`create_directory`, in
:mod:`.schema`) hold users, groups, memberships, devices, applications,
bindings, the commands run on devices and the outbox of sent email.
:func:`seed_demo` (:mod:`.seed`) fills an empty directory with the same sample
organisation every time.

:class:`Directory` is the one way to read and change them: the built-in
actions' handlers use it, and so can plain Python (a benchmark baseline, a
notebook). It returns the records of :mod:`wfbench.actions.records` and the
category output models, never bare lists. It is put together from one part
per record kind (:mod:`.users`, :mod:`.groups`, :mod:`.devices`,
:mod:`.applications`) over :mod:`.base`.
Three things every method does the same way:

* **Permissions.** A ``Directory`` built with ``permissions`` checks, before
  anything else, that they hold what the method needs, and raises
  :class:`~wfbench.errors.PermissionDenied` naming what is missing. A custom
  action handed the run's directory cannot exceed the run's role.
* **Dry runs.** One mechanism: a sandbox transaction (:func:`sandbox`). A dry
  run's directory writes inside a transaction that is always rolled back, so
  it returns exactly the output a real run would, its later steps (and
  searches) see what earlier ones would have done, and nothing is kept. Its
  ``dry_run`` flag only words the changes ("would …").
* **Changes.** Every write that changes something (or would) appends one line
  to :attr:`Directory.changes`, for example ``"suspended
  ada.lovelace@example.com (active → suspended)"`` or ``"would create user
  grace.hopper@example.com (u_0241)"``; :meth:`Directory.reporting` also
  passes each line, as it is made, to a callback of the calling thread. A
  write that finds nothing to do (adding a member twice) records no change and
  says so in its output (``changed: false``).

Integrity is kept in code rather than with DuckDB foreign keys, which make
deletes awkward: deleting a user removes their memberships and bindings and
unassigns their devices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

import duckdb

from wfbench.directory.applications import Applications
from wfbench.directory.devices import Devices
from wfbench.directory.groups import Groups
from wfbench.directory.schema import DIRECTORY_TABLE_NAMES, DIRECTORY_TABLES, create_directory
from wfbench.directory.users import Users
from wfbench.transactions import in_transaction
from wfbench.transactions import transaction as atomic

__all__ = [
    "DIRECTORY_TABLES",
    "DIRECTORY_TABLE_NAMES",
    "Directory",
    "atomic",
    "create_directory",
    "in_transaction",
    "sandbox",
    "seed_demo",
]


class Directory(Users, Groups, Devices, Applications):
    """Read and change the embedded directory, within a set of permissions.

    *con* is a DuckDB connection or cursor holding the directory tables.
    *permissions* (``None``: unrestricted) are checked by every method before
    it does anything. *run_id* is recorded with the commands and emails this
    directory writes. *clock* gives "now" (an aware datetime, or a naive one
    taken as UTC) for timestamps; tests pass a fixed one.
    """


@contextmanager
def sandbox(
    con: duckdb.DuckDBPyConnection,
    permissions: Iterable[str] | None = None,
    *,
    run_id: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Iterator[Directory]:
    """A dry run's directory: its writes happen in a transaction rolled back at the end.

    Uses a cursor of its own on *con*, so the caller's transaction (a run's
    history batch) is untouched and other connections never see the writes.
    """
    cur = con.cursor()
    cur.begin()
    try:
        yield Directory(cur, permissions, run_id=run_id, clock=clock, dry_run=True)
    finally:
        cur.rollback()
        cur.close()


def seed_demo(con: duckdb.DuckDBPyConnection, *, seed: int = 7) -> dict[str, int]:
    """Fill an empty directory with the sample organisation; return rows per table.

    The same *seed* always gives the same rows (no wall clock is read). The
    tables are created first if missing. Seeding **refuses** a directory that
    already holds users (:class:`~wfbench.errors.WfbenchError`): use a fresh
    store instead. See :mod:`wfbench.directory.seed` for what the organisation holds.
    """
    from wfbench.directory.seed import seed_directory

    return seed_directory(con, seed=seed)
