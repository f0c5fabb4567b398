"""``main`` builds the parser of the command a command line names, alone (issue 12: start
fast): what it parses and prints is what the whole parser gives."""

from __future__ import annotations

import argparse
import contextlib
import io
from typing import Any

import pytest

from wfbench.cli.parser import COMMANDS, build_parser, command_of


def _subparsers(parser: argparse.ArgumentParser) -> Any:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def test_the_table_of_commands_is_every_command_in_order() -> None:
    assert tuple(_subparsers(build_parser()).choices) == COMMANDS


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["run", "Ping"], "run"),
        (["--db", "x.duckdb", "list"], "list"),
        (["--db=x.duckdb", "show", "r1"], "show"),
        (["--help"], None),
        (["--help", "run"], None),
        (["--db", "x.duckdb", "-h", "run"], None),
        (["--d", "x.duckdb", "run"], None),
        (["nosuch"], None),
        (["--", "run"], None),
        ([], None),
    ],
)
def test_the_command_a_line_names(argv: list[str], command: str | None) -> None:
    assert command_of(argv) == command


def _help(parser: argparse.ArgumentParser, argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        parser.parse_args(argv)
    return out.getvalue()


@pytest.mark.parametrize("command", COMMANDS)
def test_one_commands_parser_is_the_whole_parsers(command: str) -> None:
    assert _help(build_parser(command), [command, "--help"]) == _help(
        build_parser(), [command, "--help"]
    )


def test_a_run_line_parses_the_same() -> None:
    argv = ["--db", "s.duckdb", "run", "Ping", "--input", "{}", "--dry-run"]
    one, whole = build_parser(command_of(argv)).parse_args(argv), build_parser().parse_args(argv)
    assert vars(one) == vars(whole)
