"""wfbench.store.turns: processes take turns on a store file in a first-come, first-served
line kept beside it; threads of one process share its place."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from wfbench.store.turns import Line, line_for
from wfbench.workbench import Workbench


def test_one_line_per_file_shared_by_the_threads(tmp_path: Path) -> None:
    path = str(tmp_path / "a.duckdb")
    line = line_for(path)
    assert line_for(path) is line and line_for(str(tmp_path / "b.duckdb")) is not line
    assert line.path == path + ".turns"
    assert line.acquire(5)
    joined: list[bool] = []
    worker = threading.Thread(target=lambda: joined.append(line.acquire(5)))
    worker.start()
    worker.join(10)
    assert joined == [True]  # the turn held by this process: the thread joins it at once
    assert not line.others_waiting()
    line.release()
    line.release()
    assert Path(line.path).stat().st_size == 0  # the last out, alone: the line starts over


def test_a_second_place_in_line_waits_for_the_first(tmp_path: Path) -> None:
    """Two places in line on one file (as two processes would hold): the second gets in
    only once the first lets go, and says when it gave up."""
    path = str(tmp_path / "c.duckdb")
    first, second = Line(path), Line(path)
    assert first.acquire(5)
    came: list[bool] = []
    waiter = threading.Thread(target=lambda: came.append(second.acquire(30)))
    waiter.start()
    deadline = time.monotonic() + 30
    while not first.others_waiting():  # until the second has taken its ticket
        assert time.monotonic() < deadline, "the second never queued"
        time.sleep(0.005)
    assert came == []
    first.release()
    waiter.join(30)
    assert came == [True]
    second.release()


def test_giving_up_lets_nobody_overtake_the_holder(tmp_path: Path) -> None:
    """A place that gave up keeps the line: whoever queues after it still waits for the
    holder (it used to get in at once, while the holder still held the file)."""
    path = str(tmp_path / "d.duckdb")
    first, second, third = Line(path), Line(path), Line(path)
    assert first.acquire(5)
    assert second.acquire(0.05) is False  # gave up: the first still holds the file
    assert third.acquire(0.05) is False  # so does the one behind it
    assert second.acquire(0.05) is False  # and the one who gave up, queuing again
    first.release()
    assert third.acquire(30)  # the holder gone, the line moves on
    third.release()
    assert second.acquire(30)
    second.release()


@pytest.mark.slow
def test_the_line_is_first_come_first_served(tmp_path: Path) -> None:
    """A holder; then three processes queue in a known order: they get in in that order."""
    path = str(tmp_path / "line.duckdb")
    Workbench(path).close()
    line = line_for(str(Path(path).resolve()))
    assert line.acquire(5)
    order = tmp_path / "order.txt"
    code = textwrap.dedent(
        """
        import sys
        from wfbench.store.turns import line_for
        line = line_for(sys.argv[1])
        assert line.acquire(60)
        with open(sys.argv[2], "a") as f:
            f.write(sys.argv[3] + "\\n")
        line.release()
        """
    )
    procs = []
    for name in ("first", "second", "third"):
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", code, str(Path(path).resolve()), str(order), name]
            )
        )
        deadline = time.monotonic() + 30
        size = Path(line.path).stat().st_size
        while Path(line.path).stat().st_size == size and time.monotonic() < deadline:
            time.sleep(0.01)  # until it has taken its ticket
    assert line.others_waiting()
    line.release()
    for proc in procs:
        assert proc.wait(60) == 0
    assert order.read_text().split() == ["first", "second", "third"]


def test_the_line_file_stays_small(tmp_path: Path) -> None:
    wb = Workbench(tmp_path / "small.duckdb")
    for _ in range(20):
        wb.workflows()  # each call opens and closes the file
    turns = Path(str((tmp_path / "small.duckdb").resolve()) + ".turns")
    assert turns.exists()
    assert turns.stat().st_size == 0  # nobody in line: started over
