"""The class board: who in the room has done which exercise, kept in the trainer's store.

A trainer names the learners (:meth:`ClassBoard.add_learner` gives each a key, shown
once, kept as a SHA-256 hash like the API's keys); the learners' checks post their
results to the trainer's HTTP API (:mod:`wfbench.training.routes`), which records each
one here once (a retry of the same ``attempt`` is not recorded twice), numbered in the
order they arrived. :meth:`ClassBoard.table` is the trainer's view, learners ×
exercises with the last attempt's outcome and time; :meth:`ClassBoard.widget` is that
table live, redrawn as results arrive in this process.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wfbench.errors import BadArgument, LearnerTaken, NotFound, UnknownExercise, WfbenchError
from wfbench.keys import hash_key

if TYPE_CHECKING:
    import pandas as pd

    from wfbench.workbench import Workbench

#: Learner keys start with this, so the API can tell them from its own keys at a glance.
LEARNER_KEY_PREFIX = "wfl_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

_DDL = (
    """CREATE TABLE IF NOT EXISTS class_learners (
        name VARCHAR PRIMARY KEY,
        key_hash VARCHAR NOT NULL UNIQUE,
        created_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS class_exercises (name VARCHAR PRIMARY KEY)""",
    """CREATE TABLE IF NOT EXISTS class_results (
        seq BIGINT PRIMARY KEY,
        attempt VARCHAR NOT NULL UNIQUE,
        learner VARCHAR NOT NULL,
        exercise VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        passed BOOLEAN NOT NULL,
        cases_passed INTEGER NOT NULL,
        cases_total INTEGER NOT NULL,
        posted_at TIMESTAMP NOT NULL
    )""",
)

#: Listeners by store path: the widgets of this process that redraw on a new result.
_LISTENERS: dict[str, list[Callable[[], None]]] = {}
_WRITE = threading.Lock()
_COLOURS = {"✔": "#d9ead3", "✖": "#f4cccc"}


#: The most cases an exercise result may count (the board stores them as INTEGER).
MAX_CASES = 100_000
#: The largest body ``POST /api/v2/class/results`` reads; more is refused (413) unread.
MAX_POST_BYTES = 16 * 1024


class ResultPost(BaseModel):
    """What a learner's check posts: the outcome of one attempt, never the expectations."""

    model_config = ConfigDict(extra="ignore")

    attempt: str = Field(min_length=1, max_length=64)
    """Unique per attempt: a retry of the same post is recorded once."""
    exercise: str = Field(min_length=1, max_length=200)
    title: str = Field(default="", max_length=300)
    passed: bool
    cases_passed: int = Field(ge=0, le=MAX_CASES)
    cases_total: int = Field(ge=0, le=MAX_CASES)

    @model_validator(mode="after")
    def _counts(self) -> ResultPost:
        if self.cases_passed > self.cases_total:
            raise ValueError("cases_passed cannot be more than cases_total")
        return self


_hash = hash_key  # stored as the API's keys are (wfbench.keys)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class ClassBoard:
    """The class of one trainer's store: learners, their keys, and every posted result."""

    def __init__(self, wb: Workbench) -> None:
        self.wb = wb
        self._stop = threading.Event()
        self._polls: list[threading.Thread] = []
        with wb.hold() as con:
            for ddl in _DDL:
                con.execute(ddl)

    # -- learners
    def add_learner(self, name: str) -> str:
        """A new learner and their key (``wfl_…``), returned only this once.

        The key may post exercise results to the class board and nothing else."""
        if not _NAME.fullmatch(name):
            raise BadArgument(
                f"the learner name {name!r} is not allowed; use 1 to 64 letters, digits, "
                "'.', '_' or '-'"
            )
        key = LEARNER_KEY_PREFIX + secrets.token_urlsafe(24)
        with _WRITE, self.wb.hold() as con:
            if con.execute("SELECT 1 FROM class_learners WHERE name = ?", [name]).fetchone():
                raise LearnerTaken(f"a learner named {name!r} is in the class already")
            con.execute("INSERT INTO class_learners VALUES (?, ?, ?)", [name, _hash(key), _now()])
        return key

    def revoke_learner(self, name: str) -> None:
        """End ``name``'s key: it posts nothing more (their results so far stay)."""
        with _WRITE, self.wb.hold() as con:
            found = con.execute(
                "DELETE FROM class_learners WHERE name = ? RETURNING name", [name]
            ).fetchone()
        if found is None:
            raise NotFound(f"no learner named {name!r} in the class; see board.learners()")

    def add_exercises(self, *names: str) -> None:
        """The exercises this class does (``Exercise.board_name``, the file's name by
        default). Once the board knows any, a result for another one is refused (422)."""
        with _WRITE, self.wb.hold() as con:
            for name in names:
                con.execute("INSERT OR IGNORE INTO class_exercises VALUES (?)", [str(name)])

    def exercises(self) -> list[str]:
        with self.wb.hold() as con:
            rows = con.execute("SELECT name FROM class_exercises ORDER BY name").fetchall()
        return [str(r[0]) for r in rows]

    def learners(self) -> list[str]:
        with self.wb.hold() as con:
            rows = con.execute("SELECT name FROM class_learners ORDER BY created_at, name")
            return [r[0] for r in rows.fetchall()]

    def learner_for_key(self, key: str) -> str | None:
        """The learner whose key this is, or ``None``."""
        if not key.startswith(LEARNER_KEY_PREFIX) or len(key) > 200:
            return None
        with self.wb.hold() as con:
            row = con.execute(
                "SELECT name FROM class_learners WHERE key_hash = ?", [_hash(key)]
            ).fetchone()
        return None if row is None else str(row[0])

    # -- results
    def record(self, learner: str, post: ResultPost) -> tuple[int, bool]:
        """Keep one posted result; ``(seq, new)`` (``new`` is false for a repeated attempt).

        :class:`UnknownExercise` for an exercise the board does not know (when it knows any)."""
        with _WRITE, self.wb.hold() as con:
            known = [r[0] for r in con.execute("SELECT name FROM class_exercises").fetchall()]
            if known and post.exercise not in known:
                raise UnknownExercise(
                    f"the class does not do an exercise named {post.exercise!r}; "
                    f"it does {', '.join(sorted(known))}"
                )
            seen = con.execute(
                "SELECT seq FROM class_results WHERE attempt = ?", [post.attempt]
            ).fetchone()
            if seen is not None:
                return int(seen[0]), False
            top = con.execute("SELECT coalesce(max(seq), 0) FROM class_results").fetchone()
            seq = int(top[0] if top else 0) + 1
            con.execute(
                "INSERT INTO class_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    seq,
                    post.attempt,
                    learner,
                    post.exercise,
                    post.title,
                    post.passed,
                    post.cases_passed,
                    post.cases_total,
                    _now(),
                ],
            )
        for listener in list(_LISTENERS.get(self.wb.path, ())):
            listener()
        return seq, True

    def results(self) -> pd.DataFrame:
        """Every result, in the order it arrived."""
        with self.wb.hold() as con:
            frame: pd.DataFrame = con.execute(
                "SELECT seq, attempt, learner, exercise, title, passed, cases_passed, "
                "cases_total, posted_at FROM class_results ORDER BY seq"
            ).df()
        return frame

    def table(self) -> pd.DataFrame:
        """Learners × exercises: the last attempt's outcome and time (``✔ 3/3 10:42:05``)."""
        import pandas as pd

        learners = self.learners()
        results = self.results()
        exercises = list(dict.fromkeys(results["exercise"])) if len(results) else []
        cells: dict[tuple[str, str], str] = {}
        for row in results.itertuples(index=False):
            mark = "✔" if row.passed else "✖"
            at = pd.Timestamp(str(row.posted_at)).strftime("%H:%M:%S")
            cells[(str(row.learner), str(row.exercise))] = (
                f"{mark} {row.cases_passed}/{row.cases_total} {at}"
            )
        for learner in results["learner"] if len(results) else []:
            if learner not in learners:
                learners.append(str(learner))
        data = [[cells.get((lr, ex), "—") for ex in exercises] for lr in learners]
        frame = pd.DataFrame(data, index=pd.Index(learners, name="learner"), columns=exercises)
        return frame

    def _repr_html_(self) -> str:
        frame = self.table()
        cell = "<td style='padding:2px 8px;background:{}'>{}</td>"
        head = "".join(f"<th style='padding:2px 8px'>{html.escape(str(c))}</th>" for c in frame)
        rows = []
        for learner, values in frame.iterrows():
            tds = "".join(
                cell.format(_COLOURS.get(str(v)[:1], "white"), html.escape(str(v))) for v in values
            )
            rows.append(
                f"<tr><th style='padding:2px 8px'>{html.escape(str(learner))}</th>{tds}</tr>"
            )
        return (
            "<table style='border-collapse:collapse;font-size:90%'>"
            f"<tr><th>learner</th>{head}</tr>{''.join(rows)}</table>"
        )

    def widget(self, *, poll: float | None = None) -> Any:
        """The table as a widget, redrawn whenever a result arrives in this process.

        When the class is served by another process (``wfbench serve --class``), ``poll``
        seconds makes it look for new results that often (each look opens the store file
        briefly); :meth:`stop_polling` ends that."""
        import ipywidgets as w

        view = w.HTML(self._repr_html_())

        def redraw() -> None:
            view.value = self._repr_html_()

        _LISTENERS.setdefault(self.wb.path, []).append(redraw)
        if poll is not None:
            self._polls.append(
                threading.Thread(
                    target=self._poll, args=(poll, redraw), name="wfbench-board", daemon=True
                )
            )
            self._polls[-1].start()
        return view

    def _last_seq(self) -> int:
        with self.wb.hold() as con:
            row = con.execute("SELECT coalesce(max(seq), 0) FROM class_results").fetchone()
        return int(row[0]) if row else 0

    def _poll(self, every: float, redraw: Callable[[], None]) -> None:
        seen = self._last_seq()
        while not self._stop.wait(every):
            try:
                last = self._last_seq()
            except WfbenchError:
                continue  # the store stayed busy: look again next time
            if last != seen:
                seen = last
                redraw()

    def stop_polling(self) -> None:
        """Stop the polling started by :meth:`widget`."""
        self._stop.set()
        for thread in self._polls:
            thread.join()
        self._polls.clear()
        self._stop.clear()

    def clear(self) -> None:
        """Forget every result (a new session with the same learners)."""
        with _WRITE, self.wb.hold() as con:
            con.execute("DELETE FROM class_results")
        for listener in list(_LISTENERS.get(self.wb.path, ())):
            listener()


__all__ = ["LEARNER_KEY_PREFIX", "MAX_CASES", "MAX_POST_BYTES", "ClassBoard", "ResultPost"]
