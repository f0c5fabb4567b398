"""The ``wfbench`` command: a thin surface that parses arguments and calls the
:class:`~wfbench.workbench.Workbench` façade, the same door notebooks use.

``main(argv, out)`` runs one command in this process and returns its exit code
(:mod:`wfbench.cli.exits` holds the codes and the one table that maps errors to
them); the console script calls it with ``sys.argv``. Commands live by group:
:mod:`~wfbench.cli.definitions`, :mod:`~wfbench.cli.runs`, :mod:`~wfbench.cli.serving`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from typing import TextIO

from wfbench.cli.exits import (
    EXIT_BUSY,
    EXIT_CODES,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    exit_code,
)
from wfbench.cli.parser import Handler, build_parser
from wfbench.errors import WfbenchError

__all__ = [
    "EXIT_BUSY",
    "EXIT_CODES",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "build_parser",
    "main",
]


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``wfbench`` console script; returns the exit code.

    ``out`` receives what the command prints (default: standard output); errors go to
    standard error as one line, never a traceback.
    """
    out = out or sys.stdout
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        return int(exc.code or 0)
    handler: Handler = args.handler
    try:
        with contextlib.ExitStack() as args.held:  # the store file, opened once per command
            return handler(args, out)
    except WfbenchError as exc:
        sys.stderr.write(f"wfbench: {exc}\n")
        return exit_code(exc)
    except KeyboardInterrupt:
        sys.stderr.write("wfbench: interrupted\n")
        return EXIT_INTERRUPTED
