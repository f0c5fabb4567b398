"""Learners' workflows for the exercises (right, and wrong ones), and where the exercises
are: the learner's files (notebooks/training/exercises/: task and public cases) and the
trainer's (notebooks/trainer/hidden/: the hidden cases)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
#: The learner's folder: what a trainer hands out (no hidden expectation in it).
LEARNER_FOLDER = NOTEBOOKS / "training"
EXERCISES = LEARNER_FOLDER / "exercises"
#: The trainer's folder, and in it the hidden cases.
TRAINER_FOLDER = NOTEBOOKS / "trainer"
HIDDEN = TRAINER_FOLDER / "hidden"


def _flow(name: str, run_as: str, schema: dict[str, Any], steps: list[Any]) -> dict[str, Any]:
    return {
        "format": "wfbench/v1",
        "name": name,
        "type": "manual",
        "run_as": run_as,
        "trigger": {"input_schema": {"type": "object", **schema}},
        "steps": steps,
    }


EMAIL = {"required": ["email"], "properties": {"email": {"type": "string"}}}
USER = {
    "id": "user",
    "kind": "action",
    "action": "users.get",
    "with": {"email": "{{ input.email }}"},
}

LOOKUP = _flow("Look up a person", "read_only", EMAIL, [USER])

SUSPEND = _flow(
    "Suspend a contractor",
    "help_desk",
    EMAIL,
    [
        USER,
        {
            "id": "is_contractor",
            "kind": "if_else",
            "condition": "{{ steps.user.output.employee_type == 'contractor' }}",
            "then": [
                {
                    "id": "suspend",
                    "kind": "action",
                    "action": "users.suspend",
                    "with": {"user_id": "{{ steps.user.output.id }}"},
                }
            ],
            "else": [],
        },
    ],
)

#: Suspends everyone: the employee case fails.
SUSPEND_EVERYONE = _flow(
    "Suspend a contractor",
    "help_desk",
    EMAIL,
    [
        USER,
        {
            "id": "suspend",
            "kind": "action",
            "action": "users.suspend",
            "with": {"user_id": "{{ steps.user.output.id }}"},
        },
    ],
)

PILOT = _flow(
    "Enrol in the laptop pilot",
    "manager",
    {
        "required": ["emails"],
        "properties": {"emails": {"type": "array", "items": {"type": "string"}}},
    },
    [
        {
            "id": "each",
            "kind": "loop",
            "items": "{{ input.emails }}",
            "as": "email",
            "max_iterations": 50,
            "on_item_error": "continue",
            "steps": [
                {
                    "id": "who",
                    "kind": "action",
                    "action": "users.get",
                    "with": {"email": "{{ email }}"},
                },
                {
                    "id": "add",
                    "kind": "action",
                    "action": "groups.add_user",
                    "with": {"group_id": "g_15", "user_id": "{{ steps.who.output.id }}"},
                },
            ],
        }
    ],
)

#: Looks Ada up whatever the input says: the public case passes, a hidden one does not.
LOOKUP_ADA_ONLY = _flow(
    "Look up a person",
    "read_only",
    EMAIL,
    [dict(USER, **{"with": {"email": "ada.lovelace@example.com"}})],
)
