"""A training room: exercises that check themselves, a live class board, a reset.

* :class:`Exercise` — ``Exercise.load(file).check(wb)`` runs a learner's workflow against
  an exercise's hidden cases and shows what passed, with hints; with
  ``$WFBENCH_CLASS_URL`` and ``$WFBENCH_CLASS_KEY`` set it posts the result to the class.
* :class:`ClassBoard` — the trainer's class: learners and their keys, every result, the
  learners × exercises table (``wb.serve(classroom=True)`` or ``wfbench serve --class``
  receives the results; see :mod:`wfbench.training.routes`).
* ``wb.reset_directory()`` — the sample organisation back as seeded (:mod:`.room`).
"""

from wfbench.training.board import LEARNER_KEY_PREFIX, ClassBoard, ResultPost
from wfbench.training.exercise import (
    CaseOutcome,
    Exercise,
    ExerciseCase,
    ExerciseResult,
    post_result,
)

__all__ = [
    "LEARNER_KEY_PREFIX",
    "CaseOutcome",
    "ClassBoard",
    "Exercise",
    "ExerciseCase",
    "ExerciseResult",
    "ResultPost",
    "post_result",
]
