"""Issue 19.8 and 19.11 (files): one rule for every file a user names.

Before: ``--inputs`` read FIFOs and devices (a FIFO blocked for ever; a link to
``/dev/zero`` grew to 12 GB in 15 s), and ``wfbench test`` on a Latin-1 cases file
printed the "this is a bug in wfbench" line. Every file named now goes through
:func:`wfbench.model.read_file_bytes`: a regular file, at most 16 MiB, UTF-8 where it
is text; FIFOs and devices are refused without reading. Exit code 2, one line.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from wfbench import Workbench

from .conftest import assert_clean_refusal, cli, cli_subprocess, workflow


@pytest.fixture
def echo_store(tmp_path: Path) -> str:
    path = str(tmp_path / "store.duckdb")
    wb = Workbench(path)
    wb.save(
        workflow(
            [{"id": "s", "kind": "action", "action": "core.set", "with": {"value": 1}}],
            name="Echo",
        )
    )
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_inputs_fifo_is_refused_without_reading(
    echo_store: str, tmp_path: Path, suffix: str
) -> None:
    fifo = tmp_path / f"rows{suffix}"
    os.mkfifo(fifo)
    try:
        done = cli_subprocess("--db", echo_store, "run", "Echo", "--inputs", str(fifo), timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"--inputs of a FIFO ({suffix}): no answer in 30 s (a hang)")
    assert "Traceback" not in done.stdout + done.stderr, done
    assert done.returncode == 2, done
    assert "not a regular file" in done.stderr


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_inputs_link_to_dev_zero_is_refused(echo_store: str, tmp_path: Path, suffix: str) -> None:
    link = tmp_path / f"zero{suffix}"
    link.symlink_to("/dev/zero")
    try:
        done = cli_subprocess(
            "--db", echo_store, "run", "Echo", "--inputs", str(link), timeout=30, memory_mb=1024
        )
    except subprocess.TimeoutExpired:
        pytest.fail("--inputs of /dev/zero: no answer in 30 s")
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-2000:]
    assert done.returncode == 2, done.stderr[-2000:]
    assert "not a regular file" in done.stderr


def test_inputs_over_16_mib_is_refused(echo_store: str, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    line = json.dumps({"pad": "x" * 1000}) + "\n"
    big.write_text(line * (17 * 1024))
    result = cli("--db", echo_store, "run", "Echo", "--inputs", str(big))
    assert_clean_refusal(result, (2,))
    assert "larger than 16,777,216 bytes" in result.err


def test_inputs_not_utf8_is_refused(echo_store: str, tmp_path: Path) -> None:
    latin = tmp_path / "rows.csv"
    latin.write_bytes("name\nJos\xe9\n".encode("latin-1"))
    result = cli("--db", echo_store, "run", "Echo", "--inputs", str(latin))
    assert_clean_refusal(result, (2,))


def test_latin1_cases_file_is_a_usage_error(tmp_path: Path) -> None:
    flow = tmp_path / "echo.json"
    flow.write_text(
        json.dumps(
            workflow(
                [{"id": "s", "kind": "action", "action": "core.set", "with": {"value": 1}}],
                name="Echo",
            )
        )
    )
    cases = tmp_path / "echo.cases.json"
    cases.write_bytes('{"cases": [{"name": "caf\xe9", "input": {}}]}'.encode("latin-1"))
    result = cli("test", str(flow))
    assert_clean_refusal(result, (2,))
    assert "bug" not in result.err
    assert "not UTF-8" in result.err
