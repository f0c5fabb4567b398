"""wfbench.store.effects: effect marks that survive a crash, and batch claims."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from wfbench.errors import BatchRunning, Conflict
from wfbench.store import Store

BOUND_S = 60.0


def test_only_effects_that_are_not_idempotent_are_reported(memory_store: Store) -> None:
    store = memory_store
    store.write_effects([])  # nothing to write: no transaction, no error
    store.write_effects(
        [
            {"run_id": "r1", "seq": 3, "action": "notify.email", "idempotent": False},
            {"run_id": "r1", "seq": 1, "action": "users.suspend", "idempotent": False},
            {"run_id": "r1", "seq": 2, "action": "http.request", "idempotent": True},
            {"run_id": "r2", "seq": 1, "action": "http.request", "idempotent": True},
            {"run_id": "r3", "seq": 1, "action": "custom.post", "idempotent": False},
        ]
    )
    assert store.effects_started(["r1", "r2", "r9"]) == {
        "r1": ["users.suspend", "notify.email"]  # in the order they started
    }
    assert store.effects_started([]) == {}


@pytest.mark.parametrize("where", ["memory", "file"])
def test_a_batch_id_is_held_once_and_free_again_after(where: str, tmp_path: Path) -> None:
    path = ":memory:" if where == "memory" else str(tmp_path / "store.duckdb")
    store = Store(path)
    try:
        with (
            store.claim_batch("b1"),
            store.claim_batch("b2"),  # two ids at once: fine
            pytest.raises(BatchRunning, match="batch b1 is running already"),
            store.claim_batch("b1"),
        ):
            pass
        with store.claim_batch("b1"):  # ended: free again
            pass
    finally:
        store.close()
    if where == "file":
        assert len(list(Path(path + ".batches").glob("*.lock"))) == 2  # the files stay


def test_a_batch_claimed_by_another_process_is_refused(tmp_path: Path) -> None:
    """The claim holds across processes (a lock the kernel drops when its holder dies)."""
    path = tmp_path / "store.duckdb"
    Store(str(path)).close()
    code = (
        "import sys; from wfbench.store import Store\n"
        f"with Store({str(path)!r}).claim_batch('b3'):\n"
        "    print('held', flush=True); sys.stdin.readline()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(Conflict, match="b3 is running already"),
            Store(str(path)).claim_batch("b3"),
        ):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=BOUND_S)
    with Store(str(path)).claim_batch("b3"):  # its holder died: free again
        pass
