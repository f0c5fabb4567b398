"""Issue 10.10: input that cannot be stored is refused before the run starts, the same way
in the CLI, the Python API and the HTTP API, and nothing is half-recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import wfbench
from wfbench import Workbench

from .conftest import Api, cli, set_step, workflow

ECHO = workflow(
    [set_step("{{ input }}"), set_step("{{ input.email }}", "t")],
    schema={"type": "object", "properties": {"email": {}}},
    name="Echo",
)


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    bench = Workbench(str(tmp_path / "u.duckdb"))
    bench.init()
    bench.save(ECHO)
    return bench


def _history(wb: Workbench) -> list[dict[str, Any]]:
    frame = wb.sql("select run_id, status from runs order by started_at")
    return [dict(r) for r in frame.to_dict(orient="records")]


_UNSTORABLE = object()


def _as_json(value: Any) -> Any:
    """What storing ``value`` as JSON may faithfully give back (or _UNSTORABLE)."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (ValueError, TypeError, RecursionError):
        return _UNSTORABLE


def _assert_nothing_half_recorded(
    wb: Workbench, before: list[dict[str, Any]], expected: Any = _UNSTORABLE
) -> None:
    """Each new run was refused with no step recorded, or ran with its input kept as given."""
    after = _history(wb)
    new = [r for r in after if r not in before]
    for row in new:
        if row["status"] == "rejected":
            steps = wb.sql("select count(*) from steps where run_id = ?", [row["run_id"]])
            assert int(steps.iloc[0, 0]) == 0, f"steps recorded for a refused run: {row}"
            continue
        assert expected is not _UNSTORABLE, f"a run started with unstorable input: {row}"
        stored = wb.runs.get(row["run_id"])["input"]
        assert stored == expected, f"the input was changed when stored: {stored!r}"


CLI_INPUTS = {
    "lone-high-surrogate": '{"email": "\\ud800@example.com"}',
    "lone-low-surrogate": '{"email": "\\udfff@example.com"}',
    "surrogate-in-key": '{"\\ud800": 1}',
    "nul-in-string": '{"email": "a\\u0000b@example.com"}',
    "nul-in-key": '{"a\\u0000b": 1}',
    "huge-int": '{"email": ' + "9" * 4000 + "}",
    "int-over-hugeint": '{"email": ' + "9" * 60 + "}",
    "negative-huge-int": '{"email": -' + "9" * 60 + "}",
}
CLI_FAILS = {
    "lone-high-surrogate": "a lone surrogate: DuckDB traceback after the run started",
    "lone-low-surrogate": "a lone surrogate: DuckDB traceback after the run started",
    "surrogate-in-key": "a lone surrogate in a key",
}


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(
            k,
            marks=[],  # issue 10.10: CLI_FAILS says what failed before the fix
        )
        for k in CLI_INPUTS
    ],
)
def test_cli_unstorable_input(wb: Workbench, kind: str) -> None:
    before = _history(wb)
    result = cli("--db", wb.path, "run", "Echo", "--input", CLI_INPUTS[kind])
    assert result.traceback is None, result.traceback
    assert "Traceback" not in result.out + result.err, result
    assert result.code in (0, 1, 2, 3), result
    _assert_nothing_half_recorded(wb, before, _as_json(json.loads(CLI_INPUTS[kind])))


PY_INPUTS = {
    "lone-surrogate": "{'email': '\\ud800@example.com'}",
    "nul": "{'email': 'a\\x00b'}",
    "huge-int": "{'email': 10**5000}",
    "int-over-64-bits": "{'email': 2**70}",
    "nan": "{'email': float('nan')}",
    "inf": "{'email': float('inf')}",
    "bytes": "{'email': b'bytes'}",
    "set": "{'email': {1, 2}}",
    "object": "{'email': object()}",
    "int-keys": "{'email': {1: 'x'}}",
    "tuple-keys": "{'email': {(1, 2): 'x'}}",
    "deep": "{'email': deep(5000)}",
    "self-reference": "cyclic()",
}
PY_FAILS = {
    "lone-surrogate": "a lone surrogate crashes Workbench.run after the run started",
    "huge-int": "ValueError (int max str digits) escapes Workbench.run",
    "nan": "NaN is accepted and stored as null",
    "inf": "Infinity is accepted and stored as null",
    "bytes": "bytes escape as a non-wfbench error or are stored as text",
    "set": "a set escapes as a non-wfbench error",
    "object": "an arbitrary object escapes as a non-wfbench error",
    "tuple-keys": "a tuple key escapes as a non-wfbench error",
    "deep": "RecursionError escapes Workbench.run",
    "self-reference": "a cyclic input escapes as ValueError/RecursionError",
}


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _cyclic() -> Any:
    value: dict[str, Any] = {"email": []}
    value["email"].append(value)
    return value


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(
            k,
            marks=[],  # issue 10.10: PY_FAILS says what failed before the fix
        )
        for k in PY_INPUTS
    ],
)
def test_python_api_unstorable_input(wb: Workbench, kind: str) -> None:
    given = eval(PY_INPUTS[kind], {"deep": _deep, "cyclic": _cyclic})
    before = _history(wb)
    try:
        record = wb.run("Echo", given)
    except wfbench.RunRejected:
        pass
    except wfbench.WfbenchError:
        pass
    else:
        assert record.status in ("succeeded", "failed"), record
    _assert_nothing_half_recorded(wb, before, _as_json(given))


API_BODIES = {
    "lone-surrogate": b'{"email": "\\ud800@example.com"}',
    "nul": b'{"email": "a\\u0000b"}',
    "huge-int": b'{"email": ' + b"9" * 5000 + b"}",
    "int-over-hugeint": b'{"email": ' + b"9" * 60 + b"}",
    "nan": b'{"email": NaN}',
    "inf": b'{"email": Infinity}',
    "1e999": b'{"email": 1e999}',
    "deep": b'{"email": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "invalid-utf8": b'{"email": "\xff\xfe"}',
    "duplicate-keys": b'{"email": "a", "email": "b"}',
}
API_FAILS = {
    "1e999": "NEW: 1e999 (Infinity once parsed) is accepted and stored as null",
}


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(
            k,
            marks=[],  # issue 10.10: API_FAILS says what failed before the fix
        )
        for k in API_BODIES
    ],
)
def test_http_api_unstorable_input(api: Api, kind: str) -> None:
    created = api.call("POST", "/api/v2/workflows", json=ECHO)
    assert created.status_code == 201, created.text
    before = _history(api.wb)
    answer = api.call(
        "POST",
        "/api/v2/workflows/Echo/runs",
        "runner",
        content=API_BODIES[kind],
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code != 500, answer.text
    assert answer.status_code in (201, 400, 413, 422), answer.text
    try:
        expected = _as_json(json.loads(API_BODIES[kind]))
    except (ValueError, RecursionError):
        expected = _UNSTORABLE
    _assert_nothing_half_recorded(api.wb, before, expected)
