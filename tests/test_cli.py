"""wfbench.cli: ``main`` runs one command and answers with its exit code; every error is
one line on standard error, never a traceback."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

import pytest

from wfbench import cli
from wfbench.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main, parser
from wfbench.cli.exits import EXIT_INTERRUPTED


@pytest.fixture(autouse=True)
def no_default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WFBENCH_DB", str(tmp_path / "absent.duckdb"))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_usage_and_help_exit_as_argparse_says(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--help")[0] == EXIT_OK
    code, _, err = run(capsys, "no-such-command")
    assert code == EXIT_USAGE and "invalid choice" in err


def test_an_error_is_one_line_with_its_exit_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "--db", str(tmp_path / "s.duckdb"), "show", "no-such-run")
    assert code == EXIT_USAGE and out == ""  # NotFound: a usage error
    assert err.startswith("wfbench: ") and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("raised", "code", "said"),
    [
        (KeyboardInterrupt(), EXIT_INTERRUPTED, "wfbench: interrupted\n"),
        (BrokenPipeError(), EXIT_OK, ""),
        (
            FileNotFoundError(2, "No such file or directory", "/x/y.json"),
            EXIT_USAGE,
            "wfbench: cannot use /x/y.json: No such file or directory; check the path\n",
        ),
        (
            RecursionError(),
            EXIT_FAILED,
            "wfbench: the input is too large or too deeply nested; make it smaller\n",
        ),
    ],
)
def test_what_a_command_did_not_expect_is_still_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    raised: BaseException,
    code: int,
    said: str,
) -> None:
    def handler(args: argparse.Namespace, out: Any) -> int:
        raise raised

    monkeypatch.setattr(parser, "cmd_list", handler)  # what `wfbench list` calls
    assert run(capsys, "list") == (code, "", said)


def test_a_bug_names_itself_and_where_to_report_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def handler(args: argparse.Namespace, out: Any) -> int:
        raise ValueError("first line\nsecond line")

    monkeypatch.setattr(parser, "cmd_list", handler)
    code, out, err = run(capsys, "list")
    assert code == EXIT_FAILED and out == ""
    assert err == f"wfbench: unexpected ValueError: first line; {cli.REPORT_TO}\n"
