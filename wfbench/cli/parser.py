"""The ``wfbench`` argument parser: every command, its arguments and its handler.

argparse (standard library) does the parsing: it gives sub-commands, help and exit
code 2 on usage errors with no dependency to add. Handlers live in the modules of
their command group and import the library only when they run.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, TextIO, cast

from wfbench.cli.app import cmd_app
from wfbench.cli.definitions import (
    cmd_actions,
    cmd_enable,
    cmd_export,
    cmd_import,
    cmd_init,
    cmd_list,
    cmd_roles,
    cmd_schema,
    cmd_validate,
)
from wfbench.cli.directory import cmd_directory
from wfbench.cli.runs import cmd_run, cmd_runs, cmd_show
from wfbench.cli.serving import cmd_apikey, cmd_serve
from wfbench.cli.testing import cmd_test

Handler = Callable[[argparse.Namespace, TextIO], int]


#: The largest ``--limit`` (more would only ask the store for rows it does not have).
MAX_LIMIT = 1_000_000


def _count(text: str) -> int:
    """A ``--limit``: a whole number from 1 to :data:`MAX_LIMIT` (argparse words the error)."""
    try:
        value = int(text) if len(text) <= 12 else -1
    except ValueError:
        value = -1
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(
            f"{text[:30]!r} is not a whole number from 1 to {MAX_LIMIT:,}"
        )
    return value


def _store_path(text: str) -> str:
    """``--db``: a file path; an empty one would silently open an in-memory store."""
    if not text.strip() or text.strip() == ":memory:" or "\0" in text:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a store file; give a path such as ./wfbench.duckdb"
        )
    return text


#: Every command, in the order ``wfbench --help`` lists them (a test keeps it complete).
COMMANDS: tuple[str, ...] = (
    "validate",
    "schema",
    "roles",
    "actions",
    "init",
    "import",
    "export",
    "list",
    "enable",
    "disable",
    "run",
    "runs",
    "show",
    "test",
    "serve",
    "apikey",
    "directory",
    "app",
)


def command_of(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names, if it plainly names one: the first word after ``--db
    PATH``. ``None`` (build every command) for anything else, such as ``--help``."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--db":
            i += 2
        elif word.startswith("--db="):
            i += 1
        else:
            return word if word in COMMANDS else None
    return None


class _Skipped:
    """Stands for the parser of a command this command line does not name."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        return lambda *args, **kwargs: self


_SKIPPED = cast(argparse.ArgumentParser, _Skipped())


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or (``command``, see :func:`command_of`) of that one
    alone: building all sixteen took 5 ms of every start."""
    parser = argparse.ArgumentParser(
        prog="wfbench",
        description="Build, validate and run manual workflows (wfbench/v1).",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        type=_store_path,
        help="the store file (default: $WFBENCH_DB or ./wfbench.duckdb)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(
        name: str, handler: Handler, help_: str, *, json_flag: bool = True
    ) -> argparse.ArgumentParser:
        if command is not None and name != command:
            return _SKIPPED
        p = sub.add_parser(name, help=help_, description=help_)
        if json_flag:
            p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(handler=handler)
        return p

    _definition_commands(add)
    _run_commands(add)
    _api_commands(add)
    p = add("directory", cmd_directory, "find users or groups in the directory")
    p.add_argument("what", choices=("users", "groups"), help="what to list")
    p.add_argument("--search", metavar="TEXT", help="only those whose name, email, ... has TEXT")
    p.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    p = add(
        "app", cmd_app, "serve the workbench as a web page (Voila; Ctrl-C stops)", json_flag=False
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8866, help="port to listen on (default 8866)")
    return parser


Add = Callable[..., argparse.ArgumentParser]


def _definition_commands(add: Add) -> None:
    p = add("validate", cmd_validate, "check workflow files and list every problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    add("schema", cmd_schema, "print the JSON Schema of the wfbench/v1 format", json_flag=False)
    add("roles", cmd_roles, "list the roles and their permissions")
    add("actions", cmd_actions, "list the action catalogue")
    p = add(
        "init", cmd_init, "create the store; --demo seeds a sample organisation", json_flag=False
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="seed the demo directory and import the sample workflows",
    )
    p = add("import", cmd_import, "validate and save workflow files", json_flag=False)
    p.add_argument("files", nargs="+", metavar="FILE")
    p = add("export", cmd_export, "print (or write) a workflow's canonical JSON", json_flag=False)
    p.add_argument("name", metavar="NAME")
    p.add_argument("-o", "--output", metavar="FILE")
    add("list", cmd_list, "list the workflows")
    for verb in ("enable", "disable"):
        p = add(verb, cmd_enable, f"{verb} a workflow", json_flag=False)
        p.add_argument("name", metavar="NAME")


def _run_commands(add: Add) -> None:
    from wfbench.runs import RUN_STATUSES  # the record module: no engine, no store

    p = add("run", cmd_run, "start a manual run")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--input", metavar="JSON", help="the input, as JSON text")
    p.add_argument("--input-file", metavar="FILE", help="the input, from a JSON file")
    p.add_argument(
        "--dry-run", action="store_true", help="change nothing: side-effecting steps are simulated"
    )
    p.add_argument(
        "--directory",
        metavar="NAME",
        help="act on the SCIM directory of this connector (default: the embedded one)",
    )
    p.add_argument(
        "--plan",
        action="store_true",
        help="print what a real run would change, and where, and change nothing",
    )
    p.add_argument(
        "--inputs",
        metavar="FILE",
        help="a batch: one run per row of a CSV, JSON Lines (.jsonl) or Parquet file",
    )
    p.add_argument("--batch", metavar="ID", help="with --inputs: the batch's id (again: resume)")
    p.add_argument(
        "--rerun-interrupted",
        nargs="*",
        metavar="ROW",
        default=None,
        help="with --inputs --batch: run again the rows (all, if none named) whose effects "
        "may have happened in a run a crash or a failure interrupted",
    )
    p.add_argument(
        "--concurrency", type=int, default=4, metavar="N", help="with --inputs: runs at once"
    )
    p = add("runs", cmd_runs, "list past runs, newest first")
    p.add_argument("--workflow", metavar="NAME")
    p.add_argument("--status", choices=RUN_STATUSES)
    p.add_argument("--limit", type=_count, metavar="N")
    p = add("show", cmd_show, "show one run with its steps")
    p.add_argument("run_id", metavar="RUN_ID")
    p = add("test", cmd_test, "run the test cases beside workflow files (NAME.cases.json)")
    p.add_argument("files", nargs="+", metavar="WORKFLOW.json")
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="each case's deadline in seconds, unless the case names its own (default 30)",
    )


def _api_commands(add: Add) -> None:
    p = add("serve", cmd_serve, "serve the HTTP API (Ctrl-C stops)", json_flag=False)
    p.add_argument(
        "--class",
        dest="classroom",
        action="store_true",
        help="also serve the class board: learners' keys may post exercise results only",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port", type=int, default=8000, help="port to listen on; 0 picks one (default 8000)"
    )
    p.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="server log level; info logs every request (default info)",
    )
    p = add("apikey", cmd_apikey, "create, list and revoke HTTP API keys", json_flag=False)
    keys = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    k = keys.add_parser("create", help="make a key and print it (only this once)")
    k.add_argument("name", metavar="NAME", help="who or what uses it; runs record api:NAME")
    k.add_argument(
        "--role",
        required=True,
        choices=("viewer", "runner", "editor"),
        help="viewer reads; runner also starts runs; editor also changes definitions",
    )
    k.add_argument("--json", action="store_true", help="print JSON")
    k = keys.add_parser("list", help="list keys (never the keys themselves)")
    k.add_argument("--json", action="store_true", help="print JSON")
    k = keys.add_parser("revoke", help="revoke a key: it stops working at once")
    k.add_argument("name", metavar="NAME")
