"""wfbench.cli.batch: ``wfbench run NAME --inputs FILE``: the rows of a file, a batch's
progress on stderr, a summary and how to resume."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from wfbench.batch.runner import Progress
from wfbench.cli.batch import _Printer, _rerun, read_inputs
from wfbench.errors import UsageError

from .conftest import Wfbench

HELLO: dict[str, Any] = {
    "format": "wfbench/v1",
    "name": "Hello",
    "run_as": "read_only",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}},
        }
    },
    "steps": [
        {
            "id": "log",
            "kind": "action",
            "action": "core.log",
            "with": {"message": "{{ input.name }}"},
        }
    ],
}


def test_rows_come_from_csv_or_json_lines_and_bad_files_are_named(tmp_path: Path) -> None:
    csv = tmp_path / "rows.csv"
    csv.write_text("name,n\nada,1\nbob,2\n")
    assert read_inputs(str(csv)).to_dict("records") == [
        {"name": "ada", "n": 1},
        {"name": "bob", "n": 2},
    ]
    lines = tmp_path / "rows.jsonl"
    lines.write_text('{"name": "ada"}\n\n[1]\n{oops\n')
    with pytest.raises(UsageError) as bad:
        read_inputs(str(lines))
    assert str(bad.value) == (
        f"{lines}: 2 bad line(s): line 3: an input must be a JSON object; line 4: not JSON "
        "(Expecting property name enclosed in double quotes); fix them and try again"
    )
    with pytest.raises(UsageError, match=r"give a \.csv, \.jsonl"):
        read_inputs(str(tmp_path / "rows.xlsx"))
    fake = tmp_path / "rows.parquet"
    fake.write_text("not parquet")
    with pytest.raises(UsageError, match="as parquet"):
        read_inputs(str(fake))


def test_progress_is_a_line_every_tenth_off_a_terminal() -> None:
    stream = io.StringIO()
    printer = _Printer(stream)
    progress = Progress(total=20)
    for done in range(21):
        progress.done = done
        printer(progress)
    lines = stream.getvalue().splitlines()
    assert [line.split(" ")[0] for line in lines] == [f"{n}/20" for n in range(0, 21, 2)]
    assert _rerun(None) is False and _rerun([]) is True and _rerun(["3"]) == ["3"]


def test_a_batch_from_the_cli_sums_up_and_says_how_to_resume(
    wfbench: Wfbench, db: Path, tmp_path: Path
) -> None:
    definition = tmp_path / "hello.json"
    definition.write_text(json.dumps(HELLO))
    assert wfbench("--db", db, "import", definition).code == 0
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"name": "ada"}\n{"nom": "bob"}\n')
    result = wfbench("--db", db, "run", "Hello", "--inputs", rows, "--batch", "b1")
    assert result.code == 3  # a row was rejected
    lines = result.out.splitlines()
    assert lines[0] == "batch b1: 2 input(s): 1 rejected, 1 succeeded"
    assert lines[1].startswith("  row 1: rejected ")
    assert lines[-1] == f"resume: wfbench run 'Hello' --inputs {rows} --batch b1"
    assert "2/2 runs" in result.err
    rows.write_text('{"name": "ada"}\n{"name": "bob"}\n')
    again = wfbench("--db", db, "run", "Hello", "--inputs", rows, "--batch", "b1", "--json")
    assert again.code == 0
    assert [(r["row"], r["status"], r["resumed"]) for r in json.loads(again.out)] == [
        (0, "succeeded", True),
        (1, "succeeded", False),
    ]
