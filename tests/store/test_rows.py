"""History records as stored (:mod:`wfbench.store.rows`): one conversion for every writer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from wfbench.runs import STEP_FIELDS
from wfbench.store.rows import (
    EFFECT_FIELDS,
    END_FIELDS,
    effect_values,
    end_values,
    step_values,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _step(**extra: object) -> dict[str, object]:
    return {
        "run_id": "r1",
        "seq": 1,
        "node": "a",
        "path": "a",
        "kind": "action",
        "action": "core.log",
        "status": "succeeded",
        "params": {"message": "hi"},
        "output": {"ok": True},
        "started_at": T0,
        "ended_at": T0 + timedelta(seconds=1),
        **extra,
    }


def test_a_step_row_in_column_order_json_as_text_times_as_stored_utc() -> None:
    paris = timezone(timedelta(hours=1))
    values = dict(
        zip(STEP_FIELDS, step_values(_step(started_at=T0.astimezone(paris))), strict=True)
    )
    assert values["params"] == '{"message": "hi"}'
    assert values["output"] == '{"ok": true}'
    assert values["started_at"] == datetime(2026, 3, 1, 12, 0)  # naive UTC, as stored
    assert values["ended_at"] == datetime(2026, 3, 1, 12, 0, 1)
    assert values["error"] is None


def test_a_change_given_as_a_list_is_one_text_one_change_per_line() -> None:
    index = STEP_FIELDS.index("change")
    assert step_values(_step(change=["a", "b"]))[index] == "a\nb"
    assert step_values(_step(change=[]))[index] is None


def test_a_step_with_an_unknown_status_or_field_is_refused() -> None:
    with pytest.raises(ValueError, match="step status must be one of"):
        step_values(_step(status="done"))
    with pytest.raises(ValueError, match="unknown field"):
        step_values(_step(colour="red"))


def test_an_end_in_column_order_and_only_with_a_final_status() -> None:
    end = {
        "run_id": "r1",
        "status": "failed",
        "output": {"a": 1},
        "error": "boom",
        "ended_at": T0,
        "duration_ms": 12.5,
    }
    assert dict(zip(END_FIELDS, end_values(end), strict=True)) == {
        "run_id": "r1",
        "status": "failed",
        "output": '{"a": 1}',
        "error": "boom",
        "ended_at": datetime(2026, 3, 1, 12, 0),
        "duration_ms": 12.5,
    }
    with pytest.raises(ValueError, match="finish_run takes status"):
        end_values({**end, "status": "running"})


def test_an_effect_mark_in_column_order() -> None:
    mark = {"run_id": "r1", "seq": "3", "action": "http.request", "idempotent": 0}
    assert dict(zip(EFFECT_FIELDS, effect_values(mark), strict=True)) == {
        "run_id": "r1",
        "seq": 3,
        "action": "http.request",
        "idempotent": False,
    }
