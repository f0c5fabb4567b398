"""wfbench.cli.testing: ``wfbench test``: a line per case and a summary, or JSON; exit 0, 1
or 2."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wfbench.cli import main

FIXTURES = Path(__file__).parent.parent / "testing" / "fixtures"


@pytest.fixture
def db(tmp_path: Path, demo_store: Path) -> Path:
    """A copy of the demo store: the cases act on its sample organisation."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_store, path)
    return path


@pytest.fixture
def files(tmp_path: Path) -> Path:
    for name in ("lookup.json", "lookup.cases.json"):
        shutil.copyfile(FIXTURES / name, tmp_path / name)
    return tmp_path


def _run(db: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--db", str(db), "test", *args], out=out)
    return code, out.getvalue()


def test_all_pass_exit_0_with_a_line_per_case(db: Path, files: Path) -> None:
    code, text = _run(db, str(files / "lookup.json"))
    assert code == 0
    assert "PASS  Two lookups :: suspends the second person (succeeded)" in text
    assert text.strip().endswith("Two lookups: 2 passed, 0 failed")


def test_a_failing_case_exits_1_and_json_lists_every_case(db: Path, files: Path) -> None:
    cases = json.loads((files / "lookup.cases.json").read_text())
    cases[0]["expect"]["changes"] = ["suspends u_0001"]
    (files / "lookup.cases.json").write_text(json.dumps(cases))
    code, text = _run(db, str(files / "lookup.json"), "--json")
    assert code == 1
    records = json.loads(text)
    assert [set(r) for r in records] == [{"file", "case", "passed", "status", "failures"}] * 2
    assert [r["passed"] for r in records] == [False, True]
    assert records[0]["file"] == str(files / "lookup.json")
    assert "suspends u_0001" in records[0]["failures"][0]


def test_unreadable_or_invalid_files_exit_2(
    db: Path, files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db, str(files / "missing.json"))[0] == 2
    (files / "lookup.cases.json").write_text("[{]")
    assert _run(db, str(files / "lookup.json"))[0] == 2
    (files / "lookup.cases.json").write_text('[{"name": "x", "mocks": {"zz": {"error": "e"}}}]')
    assert _run(db, str(files / "lookup.json"))[0] == 2
    bad = json.loads((files / "lookup.json").read_text())
    bad["steps"][0]["action"] = "users.nope"
    (files / "lookup.json").write_text(json.dumps(bad))
    assert _run(db, str(files / "lookup.json"))[0] == 2
    (files / "other.json").write_text("{}")
    assert _run(db, str(files / "other.json"))[0] == 2
    assert "wfbench test:" in capsys.readouterr().err


def test_subprocess_exit_codes(db: Path, files: Path) -> None:
    exe = Path(sys.executable).with_name("wfbench")
    done = subprocess.run(
        [str(exe), "--db", str(db), "test", str(files / "lookup.json"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert all(r["passed"] for r in json.loads(done.stdout))
    missing = subprocess.run(
        [str(exe), "--db", str(db), "test", str(files / "nope.json")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
