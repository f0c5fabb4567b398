"""wfbench.pytest_plugin: pytest collects ``*.cases.json`` beside their workflow, one item per
case."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "testing" / "fixtures"


def test_plugin_collects_and_runs_cases_in_a_subprocess(db: Path, tmp_path: Path) -> None:
    project = tmp_path / "flows"
    project.mkdir()
    shutil.copyfile(FIXTURES / "lookup.json", project / "lookup.json")
    cases = json.loads((FIXTURES / "lookup.cases.json").read_text())
    cases.append(
        {
            "name": "a wrong expectation",
            "input": {"first": "ada.lovelace@example.com", "second": "ada.lovelace@example.com"},
            "expect": {"steps": {"suspend": "skipped"}},
        }
    )
    (project / "lookup.cases.json").write_text(json.dumps(cases))
    (project / "orphan.cases.json").write_text("[]")  # no orphan.json beside it: not collected
    env = {**os.environ, "WFBENCH_DB": str(db)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-c",
            os.devnull,
            "--rootdir",
            str(project),
            "-rf",
            "-v",
            str(project),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        cwd=project,
    )
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "1 failed, 2 passed" in out
    assert "lookup.cases.json::suspends the second person PASSED" in out
    assert "lookup.cases.json::a wrong expectation FAILED" in out
    assert "step suspend: succeeded, expected skipped" in out


def test_without_a_store_the_plugin_uses_the_sample_organisation(tmp_path: Path) -> None:
    for name in ("lookup.json", "lookup.cases.json"):
        shutil.copyfile(FIXTURES / name, tmp_path / name)
    env = {k: v for k, v in os.environ.items() if k != "WFBENCH_DB"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-c",
            os.devnull,
            "--rootdir",
            str(tmp_path),
            "-q",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    assert not (tmp_path / "wfbench.duckdb").exists()
