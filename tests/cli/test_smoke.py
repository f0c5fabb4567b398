"""One real process per command group, through the console script (the rest of the CLI
is tested in-process through ``main``)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

WFBENCH = shutil.which("wfbench", path=str(Path(sys.executable).parent)) or "wfbench"
SAMPLES = Path(__file__).parent.parent.parent / "wfbench" / "samples"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WFBENCH, *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def test_definitions_group(tmp_path: Path) -> None:
    proc = run("--db", tmp_path / "s.duckdb", "validate", SAMPLES / "onboard_new_hire.json")
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout


def test_runs_group(tmp_path: Path) -> None:
    proc = run("--db", tmp_path / "s.duckdb", "runs", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_api_group(tmp_path: Path) -> None:
    proc = run("--db", tmp_path / "s.duckdb", "apikey", "list")
    assert proc.returncode == 0, proc.stderr
    assert "no API keys yet" in proc.stdout


def test_python_dash_m_and_help() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "wfbench.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0 and "usage: wfbench" in proc.stdout
