"""Issue 19.10 and 19.11 (settings): what the CLI prints from outside cannot drive a
terminal, and a bad setting is one line with exit code 2.

Before: ESC, CR and bidi characters from a run's input reached the terminal raw in
``run``, ``show`` and the ``--inputs`` summary; a mistyped ``$WFBENCH_DASK_SCHEDULER``
printed the "this is a bug in wfbench" line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wfbench import Workbench

from .conftest import assert_clean_refusal, cli, workflow

HOSTILE = "evil\x1b[2J\rfake ok\u202egnp.exe\x07"
RAW = re.compile("[\x1b\r\x07\u202e]")


@pytest.fixture
def store(tmp_path: Path) -> str:
    path = str(tmp_path / "store.duckdb")
    Workbench(path).save(
        workflow(
            [
                {
                    "id": "s",
                    "kind": "action",
                    "action": "core.set",
                    "with": {"value": "{{ input.text }}"},
                },
                {
                    "id": "f",
                    "kind": "action",
                    "action": "core.fail",
                    "with": {"message": "{{ input.text }}"},
                },
            ],
            schema={"type": "object", "properties": {"text": {"type": "string"}}},
            name="Echo",
        )
    )
    return path


def test_run_and_show_escape_outside_text(store: str) -> None:
    ran = cli("--db", store, "run", "Echo", "--input", json.dumps({"text": HOSTILE}))
    assert ran.code == 1, ran
    assert not RAW.search(ran.out + ran.err), ran
    assert "\\x1b" in ran.out + ran.err
    run_id = re.search(r"run ([0-9a-f]+) of", ran.out)
    assert run_id is not None
    shown = cli("--db", store, "show", run_id.group(1))
    assert not RAW.search(shown.out + shown.err), shown


def test_inputs_summary_escapes_outside_text(store: str, tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"text": HOSTILE}) + "\n")
    done = cli("--db", store, "run", "Echo", "--inputs", str(rows))
    assert done.code == 1, done
    assert "row 0: failed" in done.out
    assert not RAW.search(done.out + done.err), done


def test_a_mistyped_scheduler_is_a_usage_error(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"text": "x"}) + "\n")
    monkeypatch.setenv("WFBENCH_DASK_SCHEDULER", "not a scheduler::")
    done = cli("--db", store, "run", "Echo", "--inputs", str(rows))
    assert_clean_refusal(done, (2,))
    assert "bug" not in done.err
    assert "WFBENCH_DASK_SCHEDULER" in done.err
