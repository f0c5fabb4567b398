"""wfbench.widgets.batch: a batch's progress bar, and a wait that keeps Cancel clickable."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import IPython.display
import jupyter_ui_poll
import pytest

from wfbench.batch.runner import Progress
from wfbench.widgets.batch import in_notebook, progress_bar, wait_serving_widgets


def test_a_test_process_is_no_notebook() -> None:
    assert in_notebook() is False


def test_the_bar_shows_itself_once_and_follows_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    cancels: list[bool] = []
    update = progress_bar("http://127.0.0.1:8787/status")
    progress = Progress(total=3, cancel=lambda: cancels.append(True))
    update(progress)
    update(progress)
    (box,) = shown  # displayed at the first call only
    bar, label, link, cancel = box.children
    assert (bar.max, bar.value, bar.bar_style) == (3, 0, "info")
    assert 'href="http://127.0.0.1:8787/status"' in link.value
    progress.done, progress.counts = 2, {"succeeded": 1, "failed": 1}
    update(progress)
    assert bar.value == 2 and label.value.startswith("2/3 runs (1 failed, 1 succeeded)")
    cancel.click()
    assert cancels == [True]
    progress.done = 3
    update(progress)
    assert bar.bar_style == "success" and cancel.disabled


def test_a_cancelled_batch_turns_the_bar_amber(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    update = progress_bar(None)
    progress = Progress(total=4, done=1, cancelled=True)
    update(progress)
    bar, _, link, cancel = shown[0].children
    assert link.value == "" and bar.bar_style == "warning" and cancel.disabled


class _Job:
    """A started batch as the wait sees it: settles after ``rounds`` looks."""

    def __init__(self, rounds: int, interrupt_at: int | None = None) -> None:
        self.looks, self.rounds, self.interrupt_at = 0, rounds, interrupt_at
        self.cancelled = False

    def settle(self, timeout: float | None = None) -> bool:
        self.looks += 1
        if self.looks == self.interrupt_at:
            raise KeyboardInterrupt
        return self.cancelled or self.looks > self.rounds

    def cancel(self) -> None:
        self.cancelled = True

    def wait(self) -> str:
        return "the frame"


def _polls(served: list[int]) -> Callable[[], contextlib.AbstractContextManager[Any]]:
    @contextlib.contextmanager
    def ui_events() -> Iterator[Callable[[int], None]]:
        yield served.append

    return ui_events


def test_the_wait_serves_widget_events_until_the_batch_settles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served: list[int] = []
    monkeypatch.setattr(jupyter_ui_poll, "ui_events", _polls(served))
    job = _Job(rounds=3)
    assert wait_serving_widgets(job, widget=object()) == "the frame"  # no kernel: no subshell
    assert served == [20, 20, 20] and not job.cancelled


def test_ctrl_c_while_waiting_cancels_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[int] = []
    monkeypatch.setattr(jupyter_ui_poll, "ui_events", _polls(served))
    job = _Job(rounds=100, interrupt_at=2)
    assert wait_serving_widgets(job) == "the frame"
    assert job.cancelled and served == [20]
