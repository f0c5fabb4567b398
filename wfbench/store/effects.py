"""At most once across interruptions: effect marks and batch claims.

**Effect marks.** Before a run calls a side-effecting handler (never in a dry run), its
recorder writes a row to ``effects`` (run id, step number, action, whether the action is
idempotent). The row commits *before* the handler is called (a custom or HTTP action:
the commit that opens its own transaction; in a batch, the batch's group commit, which
returns once it is durable), or together with the directory change it describes (a
built-in directory action: its change and its record commit as one). So after a crash
the store knows of every run in which an effect may have happened; a resumed batch reads
:meth:`Effects.effects_started` and never starts such a run again unless the user asks for
it by name (``rerun_interrupted``). Only marks of effects that are not idempotent count
there: a resume may repeat an idempotent one (a ``GET``, a ``PUT``), so in a batch the
mark of an idempotent remote call waits for the run's next commit instead of holding
the call back (issue 22).

**Batch claims.** A batch id runs once at a time, in this process or another:
:meth:`Effects.claim_batch` takes an exclusive lock on a file named after the batch in
``<store>.batches/`` (``filelock``: the kernel drops it when the process dies, so a crash
never leaves a batch claimed) and raises :class:`~wfbench.errors.BatchRunning` when
someone holds it. The lock files stay (one empty file per batch id run).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from wfbench.errors import BatchRunning
from wfbench.store.history import History
from wfbench.store.rows import effect_values

# Batches claimed by in-memory stores of this process (no file to lock beside).
_MEMORY_CLAIMS: set[str] = set()
_MEMORY_LOCK = threading.Lock()


class Effects(History):
    """Effect marks and batch claims (see the module docstring)."""

    def write_effects(
        self, marks: Sequence[Mapping[str, Any]], *, con: duckdb.DuckDBPyConnection | None = None
    ) -> None:
        """Append effect marks (``run_id``, ``seq``, ``action``, ``idempotent``), joining
        ``con``'s transaction when given."""
        if not marks:
            return
        # one VALUES statement: executemany runs the statement once per row
        values = [v for m in marks for v in effect_values(m)]
        insert = "INSERT INTO effects VALUES " + ", ".join(["(?, ?, ?, ?)"] * len(marks))
        with self._joined(con) as cur:
            cur.execute(insert, values)

    def effects_started(self, run_ids: Sequence[str]) -> dict[str, list[str]]:
        """For each of ``run_ids`` in which a side effect that is not idempotent started,
        the names of those actions (in the order they started)."""
        if not run_ids:
            return {}
        with self.session() as cur:
            rows = cur.execute(
                "SELECT run_id, list(action ORDER BY seq) FROM effects "
                "WHERE NOT idempotent AND list_contains(?, run_id) GROUP BY run_id",
                [list(run_ids)],
            ).fetchall()
        return {str(r[0]): [str(a) for a in r[1]] for r in rows}

    @contextmanager
    def claim_batch(self, batch_id: str) -> Iterator[None]:
        """Hold ``batch_id`` while the block runs; :class:`BatchRunning` if it is held."""
        if self.path == ":memory:":
            with _MEMORY_LOCK:
                key = f"{id(self)}:{batch_id}"
                if key in _MEMORY_CLAIMS:
                    raise _running(batch_id)
                _MEMORY_CLAIMS.add(key)
            try:
                yield
            finally:
                with _MEMORY_LOCK:
                    _MEMORY_CLAIMS.discard(key)
            return
        import filelock  # on first use: most processes never run a batch

        folder = Path(self.path + ".batches")
        folder.mkdir(exist_ok=True)
        name = hashlib.sha256(batch_id.encode("utf-8")).hexdigest()[:32]
        lock = filelock.FileLock(folder / f"{name}.lock", thread_local=False)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            raise _running(batch_id) from None
        try:
            yield
        finally:
            lock.release()


def _running(batch_id: str) -> BatchRunning:
    return BatchRunning(
        f"batch {batch_id} is running already (in this or another process); wait for it "
        "to end (or cancel it), then run it again to resume it"
    )
