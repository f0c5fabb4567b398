"""Exercises as a learner gets them: the task, the public cases, and a check.

A learner's exercise file holds what to build and the public cases, shown::

    {"title": "Look up a person",
     "instructions": "Markdown shown to the learner …",
     "workflow": "Look up a person",
     "cases": [{"name": "finds Ada", "input": {…}, "expect": {…}}]}

It holds no hidden case: those stay with the trainer, kept by the class board
(:mod:`wfbench.training.hidden`). ``Exercise.load(file).check(wb)`` runs the public cases
against the learner's saved workflow in their own sandbox (:mod:`wfbench.testing`),
showing what differed, then sends the workflow's definition to the class board
(``$WFBENCH_CLASS_URL`` and ``$WFBENCH_CLASS_KEY``), which runs the hidden cases in its
sandbox and answers per case pass/fail and, for a failed one, a hint. Without a board the
check says the hidden cases run only there.
"""

from __future__ import annotations

import html
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from wfbench.errors import NotFound, UsageError
from wfbench.model import read_model, to_document
from wfbench.testing.cases import Case
from wfbench.training.client import NO_BOARD, send_check
from wfbench.training.hidden import LACKS_STEP, CaseOutcome

if TYPE_CHECKING:
    from wfbench.workbench import Workbench


class ExerciseCase(Case):
    """A public case: shown to the learner, expectations and all (a hint is optional)."""

    hint: str = ""


class Exercise(BaseModel):
    """One exercise as the learner has it: what to build, and the public cases."""

    model_config = ConfigDict(extra="forbid")

    id: str = ""
    """The exercise's column on the class board (defaults to the file's name)."""
    title: str = Field(min_length=1)
    instructions: str = ""
    """Markdown."""
    workflow: str = Field(min_length=1)
    """The name of the workflow the learner saves."""
    cases: list[ExerciseCase] = Field(default_factory=list)
    """The public cases: run in the learner's kernel, shown in full. The hidden ones are
    the class board's."""

    @classmethod
    def load(cls, file: str | Path) -> Exercise:
        path = Path(file)
        exercise = read_model(cls, path)
        if not exercise.id:
            exercise.id = path.name.removesuffix(".json")
        return exercise

    def _repr_markdown_(self) -> str:
        shown = "".join(
            f"\n* **{c.name}**: input `{json.dumps(c.input)}`, expect "
            f"`{c.expect.model_dump_json(exclude_defaults=True)}`"
            for c in self.cases
        )
        public = f"\n\nPublic cases (checked in your kernel):{shown}" if shown else ""
        return (
            f"### {self.title}\n\n{self.instructions}\n\nSave your workflow as "
            f"**{self.workflow}**.{public}\n\nThe trainer's hidden cases run on the class board."
        )

    def check(
        self, wb: Workbench, *, post: bool = True, url: str | None = None, key: str | None = None
    ) -> ExerciseResult:
        """Run the public cases here, then send the workflow to the class board for the
        hidden ones (``url`` and ``key`` default to ``$WFBENCH_CLASS_URL`` and
        ``$WFBENCH_CLASS_KEY``; ``post=False`` sends nothing)."""
        try:
            workflow = wb.get(self.workflow)
        except NotFound:
            why = f"save a workflow named '{self.workflow}' first"
            rows = [CaseOutcome(c.name, False, "—", why) for c in self.cases]
            return ExerciseResult(self.id, self.title, rows, board=why)
        rows = [_public(wb, self.workflow, case) for case in self.cases]  # by name: as saved
        result = ExerciseResult(self.id, self.title, rows)
        if not post:
            result.board = "not sent to the class board (post=False)"
            return result
        verdict = send_check(self.id, to_document(workflow), result.attempt, url=url, key=key)
        result.cases.extend(verdict.cases)
        result.board, result.hidden_checked = verdict.note, verdict.answered
        return result


def _public(wb: Workbench, workflow: str, case: ExerciseCase) -> CaseOutcome:
    try:
        report = wb.check(workflow, [case])
    except UsageError:
        return CaseOutcome(case.name, False, "—", LACKS_STEP)
    result = report.results[0]
    hint = "" if result.passed else (case.hint or "see what differed, and read the task again")
    return CaseOutcome(case.name, result.passed, result.status, hint, False, tuple(result.failures))


@dataclass
class ExerciseResult:
    """A learner's attempt at an exercise: the public cases run here, the hidden ones as
    the class board answered (never their expectations)."""

    exercise: str
    title: str
    cases: list[CaseOutcome]
    attempt: str = field(default_factory=lambda: uuid.uuid4().hex)
    board: str = NO_BOARD
    """How the class board's part went, in a sentence."""
    hidden_checked: bool = False
    """The class board ran the hidden cases (their rows are in ``cases``)."""

    @property
    def passed(self) -> bool:
        """Every case shown passed: the public ones, and the hidden ones once checked."""
        return all(c.passed for c in self.cases)

    @property
    def complete(self) -> bool:
        """Passed, hidden cases included (the class board answered)."""
        return self.passed and self.hidden_checked

    def _summary(self) -> str:
        public = [c for c in self.cases if not c.hidden]
        hidden = [c for c in self.cases if c.hidden]
        text = f"{sum(c.passed for c in public)}/{len(public)} public cases pass"
        if self.hidden_checked:
            text += f", {sum(c.passed for c in hidden)}/{len(hidden)} hidden cases pass"
        return text

    def __repr__(self) -> str:
        return f"<ExerciseResult {self.title!r}: {self._summary()}; {self.board}>"

    def _repr_html_(self) -> str:
        def row(c: CaseOutcome) -> str:
            why = "".join(f"<br><small>{html.escape(d)}</small>" for d in c.details)
            kind = "hidden" if c.hidden else "public"
            return (
                f"<tr style='background:{'#d9ead3' if c.passed else '#f4cccc'}'>"
                f"<td style='padding:2px 8px;text-align:left'>{'✔' if c.passed else '✖'} "
                f"{html.escape(c.case)}</td><td style='padding:2px 8px;text-align:left'>{kind}</td>"
                f"<td style='padding:2px 8px;text-align:left'>{html.escape(c.hint)}{why}</td></tr>"
            )

        verdict = "Well done!" if self.complete else self._summary()
        return (
            f"<div><b>{html.escape(self.title)}</b>: {verdict}"
            f"<table style='border-collapse:collapse'>{''.join(map(row, self.cases))}</table>"
            f"<small>{html.escape(self.board)}</small></div>"
        )


__all__ = ["Exercise", "ExerciseCase", "ExerciseResult"]
