"""What the expression tests share: a scope to evaluate over, a fixed clock, helpers.

Not a test module (no ``test_`` prefix); the ``test_expressions*`` files import it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import settings

from wfbench.errors import ExpressionError
from wfbench.expressions import parse_template

SCOPE: dict[str, Any] = {
    "input": {
        "email": "Ada@Example.com",
        "count": 3,
        "ratio": 0.5,
        "tags": ["a", "b", "c"],
        "notify": True,
        "name": " Ada ",
        "nested": {"k": [10, 20]},
        "csv": "x,y,,z",
    },
    "steps": {
        "user": {
            "status": "succeeded",
            "output": {
                "id": "u1",
                "groups": [{"id": "g1"}, {"id": "g2"}],
                "employee_type": "contractor",
            },
        },
        "skipped": None,
    },
    "loop": {"index": 2},
    "group": {"id": "g7"},
}
SANDBOX_SCOPE: dict[str, Any] = {"input": {"a": "x"}}
FIXED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
SETTINGS = settings(max_examples=400, deadline=None, database=None)


def ev(text: str, scope: dict[str, Any] = SCOPE, **kwargs: Any) -> Any:
    return parse_template(text).evaluate(scope, **kwargs)


def error_of(text: str, scope: dict[str, Any] = SCOPE) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        ev(text, scope)
    return info.value
