"""The class board: the trainer's exercises with their hidden cases, the learners, and
who has done what, kept in the trainer's store.

A trainer names the learners (:meth:`ClassBoard.add_learner` gives each a key, shown
once, kept as a SHA-256 hash like the API's keys) and loads the exercises' hidden cases
from a folder of theirs (:meth:`ClassBoard.add_exercises`; :mod:`wfbench.training.hidden`).
A learner's check sends their workflow definition to the trainer's HTTP API
(:mod:`wfbench.training.routes`); :meth:`ClassBoard.check` runs the hidden cases against
it in the board's own sandbox, records the outcome once (a retry of the same
``attempt`` gets the same answer and is not recorded twice), numbered in the order it
arrived, and answers per case pass/fail and hints, never the expectations.
:meth:`ClassBoard.table` is the trainer's view, learners × exercises with the last
attempt's outcome and time; :meth:`ClassBoard.widget` is that table live, redrawn as
results arrive in this process; :meth:`ClassBoard.serve` serves the class on a fixed port.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from wfbench.errors import (
    AttemptReused,
    BadArgument,
    LearnerTaken,
    NotFound,
    UnknownExercise,
)
from wfbench.keys import hash_key
from wfbench.training.board_view import Watcher, learners_by_exercise, notify, to_html
from wfbench.training.hidden import HiddenExercise, hidden_files, judge, valid_workflow

if TYPE_CHECKING:
    import pandas as pd

    from wfbench.training.serving import Served
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
    # the hidden cases (a HiddenExercise as JSON): columns added to boards made before them
    "ALTER TABLE class_exercises ADD COLUMN IF NOT EXISTS hidden VARCHAR",
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
    # the per-case answer, given again to a retry of the same attempt
    "ALTER TABLE class_results ADD COLUMN IF NOT EXISTS cases VARCHAR",
)

_WRITE = threading.Lock()
#: One learner's definition judged at a time: the sandboxes of two would touch the same
#: directory rows (and the board's cores are the room's, not the learner's).
_JUDGE = threading.Lock()

CLASS_PREFIX = "/api/v2/class"
#: Where a learner's check sends their definition (:mod:`wfbench.training.routes`).
CHECKS_PATH = CLASS_PREFIX + "/checks"
RESULTS_PATH = CLASS_PREFIX + "/results"

#: The largest body ``POST /api/v2/class/checks`` reads; more is refused (413) unread.
MAX_POST_BYTES = 64 * 1024


class CheckPost(BaseModel):
    """What a learner's check sends: their workflow definition for one exercise."""

    model_config = ConfigDict(extra="forbid")

    attempt: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    """Unique per attempt: a retry of the same post is judged and recorded once."""
    exercise: str = Field(min_length=1, max_length=200)
    """The exercise's id (its file's name): which hidden cases to run."""
    definition: dict[str, Any]
    """The learner's workflow, a ``wfbench/v1`` document."""


_hash = hash_key  # stored as the API's keys are (wfbench.keys)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class ClassBoard:
    """The class of one trainer's store: learners, their keys, and every posted result."""

    def __init__(self, wb: Workbench) -> None:
        self.wb = wb
        self._watch = Watcher(wb.path, self._repr_html_, self._last_seq)
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

    def add_exercises(self, *sources: str | Path | HiddenExercise) -> list[str]:
        """Keep exercises' hidden cases in the board's store: each source a trainer's
        hidden-cases file, a folder of them, or a :class:`HiddenExercise`. An exercise
        added again is replaced. Returns the exercises' ids.

        Only the board reads them: a learner's check sends their definition here and gets
        pass/fail and hints back (:meth:`check`). Every file is read before any is kept."""
        found: list[HiddenExercise] = []
        for source in sources:
            if isinstance(source, HiddenExercise):
                found.append(source)
            else:
                found.extend(HiddenExercise.load(f) for f in hidden_files(source))
        with _WRITE, self.wb.hold() as con:
            for hidden in found:
                con.execute(
                    "INSERT OR REPLACE INTO class_exercises (name, hidden) VALUES (?, ?)",
                    [hidden.exercise, hidden.model_dump_json()],
                )
        return [h.exercise for h in found]

    def exercises(self) -> list[str]:
        """The ids of the exercises whose hidden cases the board keeps."""
        with self.wb.hold() as con:
            rows = con.execute(
                "SELECT name FROM class_exercises WHERE hidden IS NOT NULL ORDER BY name"
            ).fetchall()
        return [str(r[0]) for r in rows]

    def hidden(self, exercise: str) -> HiddenExercise:
        """One exercise's hidden cases, as kept (the trainer's view; never served)."""
        with self.wb.hold() as con:
            row = con.execute(
                "SELECT hidden FROM class_exercises WHERE name = ? AND hidden IS NOT NULL",
                [exercise],
            ).fetchone()
        if row is None:
            known = ", ".join(self.exercises()) or "none yet"
            raise UnknownExercise(
                f"the class board has no hidden cases for an exercise named {exercise!r} "
                f"(it has: {known}); the trainer adds them with board.add_exercises(FOLDER)"
            )
        return HiddenExercise.model_validate_json(str(row[0]))

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

    # -- checks
    def check(self, learner: str, post: CheckPost) -> dict[str, Any]:
        """Judge ``learner``'s definition by the exercise's hidden cases, record the outcome
        and answer it: ``{"seq", "recorded", "learner", "attempt", "exercise", "title",
        "passed", "cases_passed", "cases_total", "cases": [{"case", "passed", "status",
        "hint"}]}``. The same attempt again gets the answer it got (``recorded`` false).

        :class:`UnknownExercise` for an exercise without hidden cases here,
        :class:`~wfbench.errors.DefinitionError` (every issue) for an invalid definition,
        :class:`AttemptReused` for an attempt id another learner or exercise used."""
        again = self._answer_to(learner, post)
        if again is not None:
            return again
        hidden = self.hidden(post.exercise)
        workflow = valid_workflow(self.wb, post.definition)
        with _JUDGE:
            outcomes = judge(self.wb, hidden, workflow)
        cases = [o.to_dict() for o in outcomes]
        with _WRITE, self.wb.hold() as con:
            again = self._answer_to(learner, post)  # the same attempt judged meanwhile
            if again is not None:
                return again
            top = con.execute("SELECT coalesce(max(seq), 0) FROM class_results").fetchone()
            seq = int(top[0] if top else 0) + 1
            passed = sum(c["passed"] for c in cases)
            con.execute(
                "INSERT INTO class_results (seq, attempt, learner, exercise, title, passed, "
                "cases_passed, cases_total, posted_at, cases) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    seq,
                    post.attempt,
                    learner,
                    hidden.exercise,
                    hidden.title,
                    passed == len(cases),
                    passed,
                    len(cases),
                    _now(),
                    json.dumps(cases),
                ],
            )
        self._changed()
        return self._answer(seq, True, learner, post.attempt, hidden.exercise, hidden.title, cases)

    def _answer_to(self, learner: str, post: CheckPost) -> dict[str, Any] | None:
        """The answer an attempt got already, or None (not judged yet)."""
        with self.wb.hold() as con:
            row = con.execute(
                "SELECT seq, learner, exercise, title, cases FROM class_results WHERE attempt = ?",
                [post.attempt],
            ).fetchone()
        if row is None:
            return None
        seq, who, exercise, title, cases = row
        if who != learner or exercise != post.exercise:
            raise AttemptReused(
                f"the attempt id {post.attempt!r} was used for another check; "
                "send a new attempt id for a new check"
            )
        return self._answer(
            int(seq), False, learner, post.attempt, exercise, title, json.loads(cases or "[]")
        )

    @staticmethod
    def _answer(
        seq: int,
        recorded: bool,
        learner: str,
        attempt: str,
        exercise: str,
        title: str,
        cases: list[dict[str, Any]],
    ) -> dict[str, Any]:
        passed = sum(bool(c["passed"]) for c in cases)
        return {
            "seq": seq,
            "recorded": recorded,
            "learner": learner,
            "attempt": attempt,
            "exercise": exercise,
            "title": title,
            "passed": passed == len(cases),
            "cases_passed": passed,
            "cases_total": len(cases),
            "cases": cases,
        }

    def _changed(self) -> None:
        notify(self.wb.path)

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
        return learners_by_exercise(self.learners(), self.results(), self.exercises())

    def _repr_html_(self) -> str:
        return to_html(self.table())

    def widget(self, *, poll: float | None = None) -> Any:
        """The table as a widget, redrawn whenever a result arrives in this process.

        When the class is served by another process (``wfbench serve --class``), ``poll``
        seconds makes it look for new results that often (each look opens the store file
        briefly); :meth:`stop_polling` ends that."""
        return self._watch.widget(poll)

    def _last_seq(self) -> int:
        with self.wb.hold() as con:
            row = con.execute("SELECT coalesce(max(seq), 0) FROM class_results").fetchone()
        return int(row[0]) if row else 0

    def stop_polling(self) -> None:
        """Stop the polling started by :meth:`widget`."""
        self._watch.stop()

    def clear(self) -> None:
        """Forget every result (a new session with the same learners)."""
        with _WRITE, self.wb.hold() as con:
            con.execute("DELETE FROM class_results")
        self._changed()

    def serve(self, port: int | None = None, *, host: str | None = None) -> Served:
        """Serve this class over HTTP from this process, on a port that stays the same
        from one kernel to the next, so the learner lines given once stay valid: see
        :func:`wfbench.training.serving.serve_class` (``$WFBENCH_CLASS_PORT``, 8000 by
        default). Served already in this process: that server again."""
        from wfbench.training.serving import serve_class

        return serve_class(self.wb, port, host=host)


__all__ = [
    "CHECKS_PATH",
    "CLASS_PREFIX",
    "LEARNER_KEY_PREFIX",
    "MAX_POST_BYTES",
    "RESULTS_PATH",
    "CheckPost",
    "ClassBoard",
]
