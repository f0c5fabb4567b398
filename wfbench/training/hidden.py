"""An exercise's hidden cases: the trainer's file, and judging a learner's definition by them.

The learner's exercise file (:class:`~wfbench.training.Exercise`) holds the task and the
public cases, shown. The hidden cases stay with the trainer, in a file of theirs::

    {"exercise": "2_suspend",
     "title": "2 · Suspend a contractor",
     "cases": [{"name": "an employee is left alone",
                "input": {…}, "mocks": {…}, "expect": {…},
                "hint": "shown when this case fails: guidance, never the answer"}]}

``exercise`` defaults to the file's name (``2_suspend.json``), the learner's file's own
id. The class board keeps them in its store (:meth:`ClassBoard.add_exercises
<wfbench.training.ClassBoard.add_exercises>`) and :func:`judge` runs them against a
definition a learner sent, in the board's sandbox: per case whether it passed, how the
learner's run ended and, when it failed, the hint. Never the inputs, the expectations
nor the failures in words, which would spell them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from wfbench.errors import DefinitionError, UsageError
from wfbench.model import read_model
from wfbench.testing.cases import Case

if TYPE_CHECKING:
    from wfbench.model import Workflow
    from wfbench.workbench import Workbench

#: A hidden case's deadline on the board (seconds): the board serves a whole class.
CASE_TIMEOUT_S = 10.0
#: What a learner reads when their workflow cannot even start a hidden case.
LACKS_STEP = "your workflow lacks a step this exercise needs: read the task again"


class HiddenCase(Case):
    """A case the learner never sees, with the hint they get when it fails."""

    hint: str = Field(min_length=1, max_length=500)
    """Guidance toward the fix: it names no expected value and writes no expression."""


class HiddenExercise(BaseModel):
    """The trainer's side of one exercise: its hidden cases."""

    model_config = ConfigDict(extra="forbid")

    exercise: str = Field(default="", max_length=200)
    """The learner's exercise file's id (its file name without ``.json``)."""
    title: str = Field(default="", max_length=300)
    cases: list[HiddenCase] = Field(min_length=1)

    @classmethod
    def load(cls, file: str | Path) -> HiddenExercise:
        """Read a trainer's hidden-cases file; :class:`UsageError` with every problem."""
        path = Path(file)
        hidden = read_model(cls, path, "; fix the file and add it again")
        names = [c.name for c in hidden.cases]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise UsageError(f"{path}: case names must differ; {', '.join(twice)} is used twice")
        hidden.exercise = hidden.exercise or path.name.removesuffix(".json")
        hidden.title = hidden.title or hidden.exercise
        return hidden


def hidden_files(source: str | Path) -> list[Path]:
    """A file, or every ``*.json`` in a folder, sorted; :class:`UsageError` when neither."""
    path = Path(source)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise UsageError(f"{path}: no hidden-cases files (*.json) in this folder")
        return files
    if path.is_file():
        return [path]
    raise UsageError(f"{path}: no such file or folder; give the trainer's hidden-cases folder")


@dataclass
class CaseOutcome:
    """What a learner may see of one case: its name, whether it passed, how their run
    ended (their workflow's doing, not an expectation) and, when it failed, a hint."""

    case: str
    passed: bool
    status: str
    hint: str = ""
    hidden: bool = False
    """Run by the class board (a hidden case) rather than in the learner's kernel."""
    details: tuple[str, ...] = ()
    """What differed, in words: only for public cases, whose expectations are shown."""

    def to_dict(self) -> dict[str, Any]:
        """The board's answer for one hidden case: never more than these four."""
        return {"case": self.case, "passed": self.passed, "status": self.status, "hint": self.hint}


def valid_workflow(wb: Workbench, definition: dict[str, Any]) -> Workflow:
    """The learner's definition as a workflow of the board's catalogue, or
    :class:`DefinitionError` with every issue."""
    report = wb.validate(definition)
    report.raise_for_errors(source="the definition sent")
    assert report.workflow is not None
    return report.workflow


def judge(wb: Workbench, hidden: HiddenExercise, workflow: Workflow) -> list[CaseOutcome]:
    """Run every hidden case against ``workflow`` in ``wb``'s sandbox (the directory
    changed for real, then rolled back; no history, no definition saved)."""
    outcomes = []
    for case in hidden.cases:
        try:
            report = wb.check(workflow, [case], timeout_s=CASE_TIMEOUT_S)
        except (UsageError, DefinitionError):  # a mock or step the case names is missing
            outcomes.append(CaseOutcome(case.name, False, "—", LACKS_STEP, hidden=True))
            continue
        result = report.results[0]
        hint = "" if result.passed else case.hint
        outcomes.append(CaseOutcome(case.name, result.passed, result.status, hint, hidden=True))
    return outcomes


__all__ = [
    "CASE_TIMEOUT_S",
    "LACKS_STEP",
    "CaseOutcome",
    "HiddenCase",
    "HiddenExercise",
    "hidden_files",
    "judge",
    "valid_workflow",
]
