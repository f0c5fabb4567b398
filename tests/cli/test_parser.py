"""wfbench.cli.parser: the command line's words."""

from __future__ import annotations

import argparse
import io
from contextlib import redirect_stderr

import pytest

from wfbench.cli.parser import COMMANDS, MAX_LIMIT, build_parser, command_of


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["run", "x"], "run"),
        (["--db", "a.duckdb", "list"], "list"),
        (["--db=a.duckdb", "show", "r"], "show"),
        (["--help"], None),
        (["nope"], None),
        ([], None),
    ],
)
def test_command_of_finds_the_plainly_named_command(argv: list[str], command: str | None) -> None:
    assert command_of(argv) == command


def test_a_parser_for_one_command_parses_it_as_the_full_one_does() -> None:
    argv = ["--db", "s.duckdb", "validate", "wf.json", "--json"]
    alone, full = build_parser("validate").parse_args(argv), build_parser().parse_args(argv)
    assert vars(alone) == vars(full)
    assert (alone.db, alone.command, alone.json) == ("s.duckdb", "validate", True)


def test_every_command_is_built_and_one_alone_when_named() -> None:
    def commands(parser: argparse.ArgumentParser) -> list[str]:
        (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return list(sub.choices)

    assert commands(build_parser()) == list(COMMANDS)
    assert commands(build_parser("run")) == ["run"]


def _refusal(argv: list[str]) -> str:
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as caught:
        build_parser().parse_args(argv)
    assert caught.value.code == 2
    return err.getvalue()


def test_an_empty_or_in_memory_store_path_is_refused() -> None:
    assert "is not a store file; give a path such as" in _refusal(["--db", ":memory:", "list"])
    assert "is not a store file" in _refusal(["--db", " ", "list"])


@pytest.mark.parametrize("limit", ["0", "-3", "x", str(MAX_LIMIT + 1), "9" * 40])
def test_a_limit_is_a_whole_number_in_range(limit: str) -> None:
    assert f"is not a whole number from 1 to {MAX_LIMIT:,}" in _refusal(["runs", "--limit", limit])
