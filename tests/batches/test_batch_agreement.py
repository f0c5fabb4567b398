"""Issue 21: after Cancel, Ctrl-C or a kernel interrupt, a blocking ``run_many``'s returned
frame, its progress bar and history agree (no row left ``pending``, no count apart)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from typing import Any

import pandas as pd

from wfbench import Workbench
from wfbench.batch import Progress


def agree(wb: Workbench, out: pd.DataFrame, seen: Progress, batch: str) -> None:
    """The three-way agreement: frame = bar = history."""
    assert "pending" not in set(out["status"])
    assert dict(Counter(out["status"])) == seen.counts
    assert seen.done == seen.total == len(out)
    history = wb.runs(batch=batch).set_index("run_id")["status"].to_dict()
    recorded = out.dropna(subset=["run_id"]).set_index("run_id")["status"].to_dict()
    assert recorded == history  # every recorded run, in the frame with history's status
    assert not set(history.values()) & {"running", "queued"}


def test_an_interrupt_mid_batch_returns_a_frame_that_agrees(wb: Workbench) -> None:
    rows = [{"n": i, "sleep_s": 0.02} for i in range(200)]
    seen: list[Progress] = []
    interrupted = threading.Event()

    def bar(progress: Progress) -> None:  # the bar's view of the batch
        seen[:] = [progress]
        if progress.done >= 5 and not interrupted.is_set():
            interrupted.set()
            os.kill(os.getpid(), signal.SIGINT)  # what a kernel interrupt (Ctrl-C) sends
            # the gate: the batch's thread starts no next row until the interrupt has
            # cancelled the batch, so rows are provably still pending when it lands
            # (never a race between the signal and 200 fast rows)
            deadline = time.monotonic() + 30
            while not progress.cancelled:
                assert time.monotonic() < deadline, "the interrupt never cancelled the batch"
                time.sleep(0.005)

    # Ctrl-C raises KeyboardInterrupt in the waiting cell, as in a kernel, whatever handler an
    # earlier test in this process left behind (a server or cluster may install its own)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        out: Any = wb.run_many("Where", rows, batch="interrupted", concurrency=1, progress=bar)
    finally:
        signal.signal(signal.SIGINT, before)
    assert interrupted.is_set()
    counts = Counter(out["status"])
    assert counts["succeeded"] >= 5 and counts["cancelled"] > 0, counts
    agree(wb, out, seen[0], "interrupted")


def test_cancel_while_a_cell_waits_returns_a_frame_that_agrees(wb: Workbench) -> None:
    rows = [{"n": i, "sleep_s": 0.02} for i in range(200)]
    seen: list[Progress] = []

    def bar(progress: Progress) -> None:
        seen[:] = [progress]
        if progress.done == 5:
            progress.cancel()  # the bar's Cancel button

    out: Any = wb.run_many("Where", rows, batch="cancelled", concurrency=2, progress=bar)
    assert Counter(out["status"])["cancelled"] > 0
    agree(wb, out, seen[0], "cancelled")
