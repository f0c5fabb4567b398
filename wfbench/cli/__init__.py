"""The ``wfbench`` command: a thin surface that parses arguments and calls the
:class:`~wfbench.workbench.Workbench` façade, the same door notebooks use.

``main(argv, out)`` runs one command in this process and returns its exit code
(:mod:`wfbench.cli.exits` holds the codes and the one table that maps errors to
them); the console script calls it with ``sys.argv``. Commands live by group:
:mod:`~wfbench.cli.definitions`, :mod:`~wfbench.cli.runs`, :mod:`~wfbench.cli.serving`.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Sequence
from typing import Any, TextIO

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
from wfbench.cli.parser import Handler, build_parser, command_of
from wfbench.errors import StoreBusy, WfbenchError
from wfbench.gc_pause import freeze_after_imports
from wfbench.printable import SafeStream, printable

__all__ = [
    "EXIT_BUSY",
    "EXIT_CODES",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "build_parser",
    "console",
    "main",
]


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``wfbench`` console script; returns the exit code.

    ``out`` receives what the command prints (default: standard output); errors go to
    standard error as one line, never a traceback.
    """
    # Every text from outside (inputs, outputs, errors, names) passes the one rule.
    safe: Any = SafeStream(out or sys.stdout)
    try:
        words = sys.argv[1:] if argv is None else argv
        args = build_parser(command_of(words)).parse_args(words)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        return int(exc.code or 0)
    handler: Handler = args.handler
    try:
        with (
            contextlib.ExitStack() as args.held,  # the store file, opened once per command
            contextlib.redirect_stderr(SafeStream(sys.stderr)),  # what commands say there too
        ):
            return handler(args, safe)
    except WfbenchError as exc:
        text = str(exc)
        if isinstance(exc, StoreBusy):  # it quotes another process's command line
            text = " ".join(text.split())
        sys.stderr.write(f"wfbench: {printable(text, keep_newlines=True)}\n")
        return exit_code(exc)
    except KeyboardInterrupt:
        sys.stderr.write("wfbench: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `wfbench list | head`: the reader left; nothing to say
        return EXIT_OK
    except Exception as exc:
        return _unexpected(exc)


def console() -> int:
    """The ``wfbench`` console script: :func:`main` on ``sys.argv``, in a process that ends
    right after it. What the façade's import made is frozen once it is loaded
    (:mod:`wfbench.gc_pause`), and every object left is frozen before the process ends,
    so neither later collections nor the interpreter's last one at exit walk them all
    (about 35 ms of a one-step ``wfbench run``); the files and connections a command opened
    are closed by then."""
    freeze_after_imports()
    code = main()
    gc.freeze()
    return code


#: Where an unexpected error is reported (printed with it).
REPORT_TO = (
    "this is a bug in wfbench: report it with the command you ran to the wfbench "
    "maintainers (README, 'Security and failure model')"
)


def _unexpected(exc: BaseException) -> int:
    """An error no command expected: one line naming it, where to report it; exit 1.

    ``OSError`` (a file or disk problem the command did not word) exits 2 as an
    unreadable file does; ``MemoryError``/``RecursionError`` say what input was too big.
    """
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        said = f"cannot use{where}: {exc.strerror or exc}; check the path"
        sys.stderr.write(f"wfbench: {printable(said, keep_newlines=True)}\n")
        return EXIT_USAGE
    if isinstance(exc, MemoryError | RecursionError):
        sys.stderr.write("wfbench: the input is too large or too deeply nested; make it smaller\n")
        return EXIT_FAILED
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    said = f"unexpected {type(exc).__name__}: {detail}; {REPORT_TO}"
    sys.stderr.write(f"wfbench: {printable(said, keep_newlines=True)}\n")
    return EXIT_FAILED
