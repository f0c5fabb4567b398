"""A training room: exercises that check themselves, a class board that keeps the answers.

* :class:`Exercise` — what a learner gets: the task and the public cases.
  ``Exercise.load(file).check(wb)`` runs the public cases in the learner's kernel, then
  sends their workflow definition to the class board (``$WFBENCH_CLASS_URL`` and
  ``$WFBENCH_CLASS_KEY``), which runs the hidden cases and answers pass/fail and hints.
* :class:`HiddenExercise` — the trainer's side: an exercise's hidden cases, from a
  folder only the trainer has, kept by the board (``board.add_exercises(FOLDER)``).
* :class:`ClassBoard` — the trainer's class: learners and their keys, the hidden cases,
  every result, the learners × exercises table; ``board.serve()`` serves it on a fixed
  port (``$WFBENCH_CLASS_PORT``) so the lines given to learners stay valid
  (``wfbench serve --class`` serves it from a terminal; see :mod:`wfbench.training.routes`).
* ``wb.reset_directory()`` — the sample organisation back as seeded (:mod:`.room`).
"""

from wfbench.training.board import LEARNER_KEY_PREFIX, CheckPost, ClassBoard
from wfbench.training.client import BoardVerdict, send_check
from wfbench.training.exercise import Exercise, ExerciseCase, ExerciseResult
from wfbench.training.hidden import CaseOutcome, HiddenCase, HiddenExercise
from wfbench.training.serving import learner_line, learner_url

__all__ = [
    "LEARNER_KEY_PREFIX",
    "BoardVerdict",
    "CaseOutcome",
    "CheckPost",
    "ClassBoard",
    "Exercise",
    "ExerciseCase",
    "ExerciseResult",
    "HiddenCase",
    "HiddenExercise",
    "learner_line",
    "learner_url",
    "send_check",
]
