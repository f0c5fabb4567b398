"""Exercises that check themselves: a trainer's JSON file, a learner's saved workflow.

An exercise file::

    {"title": "Look up a user",
     "instructions": "Markdown shown to the learner …",
     "workflow": "Find a user",
     "cases": [{"name": "finds Ada", "input": {…}, "expect": {…},
                "hint": "shown when this case fails"}]}

``Exercise.load(file).check(wb)`` runs the learner's saved workflow named ``workflow``
against the hidden cases in the sandbox (:mod:`wfbench.testing`) and shows, per case,
whether it passed and the hint when it did not: never the expectations themselves nor
the sentences that would spell them out. When ``$WFBENCH_CLASS_URL`` and
``$WFBENCH_CLASS_KEY`` are set, the result is posted to the class board.
"""

from __future__ import annotations

import html
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wfbench.errors import NotFound, UsageError
from wfbench.testing.cases import Case

if TYPE_CHECKING:
    from wfbench.workbench import Workbench

URL_ENV, KEY_ENV = "WFBENCH_CLASS_URL", "WFBENCH_CLASS_KEY"


class ExerciseCase(Case):
    """A hidden case, with the hint a learner sees when it fails."""

    hint: str = ""


class Exercise(BaseModel):
    """One exercise: what to build, and the hidden cases that check it."""

    model_config = ConfigDict(extra="forbid")

    id: str = ""
    """The exercise's column on the class board (defaults to the file's name)."""
    title: str = Field(min_length=1)
    instructions: str = ""
    """Markdown."""
    workflow: str = Field(min_length=1)
    """The name of the workflow the learner saves."""
    cases: list[ExerciseCase] = Field(min_length=1)

    @classmethod
    def load(cls, file: str | Path) -> Exercise:
        path = Path(file)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from exc
        try:
            exercise = cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
            )
            raise UsageError(f"{path}: {problems}") from None
        if not exercise.id:
            exercise.id = path.name.removesuffix(".json")
        return exercise

    def _repr_markdown_(self) -> str:
        return (
            f"### {self.title}\n\n{self.instructions}\n\nSave your workflow as **{self.workflow}**."
        )

    def check(self, wb: Workbench, *, post: bool = True) -> ExerciseResult:
        """Run the learner's workflow against the hidden cases; post when a class is set."""
        rows: list[CaseOutcome] = []
        try:
            workflow = wb.get(self.workflow)
        except NotFound:
            why = f"save a workflow named '{self.workflow}' first"
            rows = [CaseOutcome(c.name, False, "—", why) for c in self.cases]
            workflow = None
        for case in self.cases if workflow is not None else ():
            rows.append(_outcome(wb, self.workflow, case))  # by name: started as saved
        result = ExerciseResult(self.id, self.title, rows)
        if post:
            result.posted = post_result(result)
        return result


def _outcome(wb: Workbench, workflow: Any, case: ExerciseCase) -> CaseOutcome:
    try:
        report = wb.check(workflow, [case])
    except UsageError:
        why = "your workflow lacks a step this exercise needs (see the instructions)"
        return CaseOutcome(case.name, False, "—", why)
    result = report.results[0]
    hint = "" if result.passed else (case.hint or "this case did not pass; read the instructions")
    return CaseOutcome(case.name, result.passed, result.status, hint)


@dataclass
class CaseOutcome:
    """What a learner may see of one hidden case."""

    case: str
    passed: bool
    status: str
    """How their run ended (their workflow's doing, not an expectation)."""
    hint: str = ""


@dataclass
class ExerciseResult:
    """A learner's attempt at an exercise."""

    exercise: str
    title: str
    cases: list[CaseOutcome]
    attempt: str = field(default_factory=lambda: uuid.uuid4().hex)
    posted: str | None = None
    """How posting to the class board went (``None``: no class set)."""

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases)

    def payload(self) -> dict[str, Any]:
        """What is posted to the class board: outcomes and counts, no expectations."""
        return {
            "attempt": self.attempt,
            "exercise": self.exercise,
            "title": self.title,
            "passed": self.passed,
            "cases_passed": sum(c.passed for c in self.cases),
            "cases_total": len(self.cases),
        }

    def __repr__(self) -> str:
        done = sum(c.passed for c in self.cases)
        return f"<ExerciseResult {self.title!r}: {done}/{len(self.cases)} cases passed>"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr style='background:{'#d9ead3' if c.passed else '#f4cccc'}'>"
            f"<td style='padding:2px 8px'>{'✔' if c.passed else '✖'} {html.escape(c.case)}</td>"
            f"<td style='padding:2px 8px'>{html.escape(c.hint)}</td></tr>"
            for c in self.cases
        )
        done = sum(c.passed for c in self.cases)
        verdict = "Well done!" if self.passed else f"{done}/{len(self.cases)} cases pass"
        note = f"<br><small>{html.escape(self.posted)}</small>" if self.posted else ""
        return (
            f"<div><b>{html.escape(self.title)}</b>: {verdict}"
            f"<table style='border-collapse:collapse'>{rows}</table>{note}</div>"
        )


def post_result(
    result: ExerciseResult,
    *,
    url: str | None = None,
    key: str | None = None,
    tries: int = 3,
    timeout: float = 10.0,
) -> str | None:
    """Post ``result`` to the class board; a sentence saying how it went (never raises).

    ``url`` and ``key`` default to ``$WFBENCH_CLASS_URL`` and ``$WFBENCH_CLASS_KEY``;
    without them nothing is posted (``None``). A failed post is retried with the same
    attempt id, which the board records once."""
    url = url or os.environ.get(URL_ENV)
    key = key or os.environ.get(KEY_ENV)
    if not url or not key:
        return None
    from wfbench.training.routes import RESULTS_PATH

    request = urllib.request.Request(
        url.rstrip("/") + RESULTS_PATH,
        data=json.dumps(result.payload()).encode(),
        headers={"content-type": "application/json", "x-api-key": key},
        method="POST",
    )
    error = "no attempt"
    for attempt in range(tries):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
            return "posted to the class board"
        except urllib.error.HTTPError as exc:
            error = f"the class board refused the result ({exc.code})"
            if exc.code < 500:
                break
        except (urllib.error.URLError, OSError) as exc:
            error = f"the class board could not be reached ({exc})"
        time.sleep(0.2 * (attempt + 1))
    return error


__all__ = [
    "CaseOutcome",
    "Exercise",
    "ExerciseCase",
    "ExerciseResult",
    "post_result",
]
