"""The class board as the trainer sees it: learners × exercises, as a table, as HTML, and
as a widget redrawn when a result arrives (in this process, or polled from the store when
another process serves the class)."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wfbench.errors import WfbenchError

if TYPE_CHECKING:
    import pandas as pd

#: Listeners by store path: the widgets of this process that redraw on a new result.
_LISTENERS: dict[str, list[Callable[[], None]]] = {}
_COLOURS = {"✔": "#d9ead3", "✖": "#f4cccc"}


def notify(path: str) -> None:
    """Redraw every widget of this process showing the board kept at ``path``."""
    for listener in list(_LISTENERS.get(path, ())):
        listener()


def learners_by_exercise(
    learners: list[str], results: pd.DataFrame, exercises: list[str] | None = None
) -> pd.DataFrame:
    """Learners × exercises (``exercises`` first, then any other one a result names):
    each cell the last attempt's outcome and time (``✔ 3/3 10:42:05``), ``—`` where there
    is none yet."""
    import pandas as pd

    learners = list(learners)
    named = list(results["exercise"]) if len(results) else []
    exercises = list(dict.fromkeys([*(exercises or []), *named]))
    cells: dict[tuple[str, str], str] = {}
    for row in results.itertuples(index=False):
        mark = "✔" if row.passed else "✖"
        at = pd.Timestamp(str(row.posted_at)).strftime("%H:%M:%S")
        cells[(str(row.learner), str(row.exercise))] = (
            f"{mark} {row.cases_passed}/{row.cases_total} {at}"
        )
    for learner in results["learner"] if len(results) else []:
        if learner not in learners:
            learners.append(str(learner))  # revoked since: their results stay
    data = [[cells.get((lr, ex), "—") for ex in exercises] for lr in learners]
    return pd.DataFrame(data, index=pd.Index(learners, name="learner"), columns=exercises)


def to_html(frame: pd.DataFrame) -> str:
    """The table coloured by outcome; every name escaped."""
    cell = "<td style='padding:2px 8px;background:{}'>{}</td>"
    head = "".join(f"<th style='padding:2px 8px'>{html.escape(str(c))}</th>" for c in frame)
    rows = []
    for learner, values in frame.iterrows():
        tds = "".join(
            cell.format(_COLOURS.get(str(v)[:1], "white"), html.escape(str(v))) for v in values
        )
        rows.append(f"<tr><th style='padding:2px 8px'>{html.escape(str(learner))}</th>{tds}</tr>")
    return (
        "<table style='border-collapse:collapse;font-size:90%'>"
        f"<tr><th>learner</th>{head}</tr>{''.join(rows)}</table>"
    )


class Watcher:
    """The live widgets of one board: redrawn on :func:`notify`, or by polling."""

    def __init__(self, path: str, render: Callable[[], str], last: Callable[[], int]) -> None:
        self.path = path
        self._render = render
        self._last = last
        self._stop = threading.Event()
        self._polls: list[threading.Thread] = []

    def widget(self, poll: float | None) -> Any:
        import ipywidgets as w

        view = w.HTML(self._render())

        def redraw() -> None:
            view.value = self._render()

        _LISTENERS.setdefault(self.path, []).append(redraw)
        if poll is not None:
            thread = threading.Thread(
                target=self._poll, args=(poll, redraw), name="wfbench-board", daemon=True
            )
            self._polls.append(thread)
            thread.start()
        return view

    def _poll(self, every: float, redraw: Callable[[], None]) -> None:
        seen = self._last()
        while not self._stop.wait(every):
            try:
                last = self._last()
            except WfbenchError:
                continue  # the store stayed busy: look again next time
            if last != seen:
                seen = last
                redraw()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._polls:
            thread.join()
        self._polls.clear()
        self._stop.clear()


__all__ = ["Watcher", "learners_by_exercise", "notify", "to_html"]
