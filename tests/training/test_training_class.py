"""A class of five learner processes against a real ``wfbench serve --class`` on loopback."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from classroom import run_class

#: How long the learners keep checking (seconds); bench/classroom.py runs a minute.
SECONDS = float(os.environ.get("WFBENCH_CLASS_TEST_S", "12"))


@pytest.mark.slow
def test_five_learners_every_result_once_in_order_and_403_elsewhere(tmp_path: Path) -> None:
    seen = run_class(tmp_path, learners=5, seconds=SECONDS)
    posted, results = seen["posted"], seen["results"]
    assert set(posted) == {f"learner{i}" for i in range(1, 6)}
    for name, attempts in posted.items():
        assert len(attempts) >= 3, name
        assert all(a["answered"] for a in attempts), attempts
        assert all(a["hidden"] for a in attempts), attempts  # the board's cases came back
        recorded = [r["attempt"] for r in results if r["learner"] == name]
        assert recorded == [a["attempt"] for a in attempts]  # each once, in the order posted
    assert len(results) == sum(len(a) for a in posted.values())
    assert Counter(r["attempt"] for r in results).most_common(1)[0][1] == 1
    assert [r["seq"] for r in results] == list(range(1, len(results) + 1))

    board = seen["board"]
    assert board["exercises"] == ["1_lookup", "2_suspend", "3_pilot"]
    for name, attempts in posted.items():
        for exercise in board["exercises"]:
            last = [a for a in attempts if a["exercise"] == exercise][-1]
            assert board["learners"][name][exercise].startswith("✔" if last["passed"] else "✖")
        first_two = next(a for a in attempts if a["exercise"] == "2_suspend")
        assert not first_two["passed"]  # the wrong solution first, the right one after

    assert set(seen["refused"].values()) == {403}, seen["refused"]
