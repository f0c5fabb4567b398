"""The ``wfbench`` command: a thin surface that parses arguments and calls the library.

Exit codes (PRODUCT.md section 5): 0 success; 1 a run that failed or a
definition that is invalid; 2 a usage error or an unreadable file; 3 a run
that was rejected (bad input, disabled workflow).

argparse (standard library) does the parsing: it gives sub-commands, help
and exit code 2 on usage errors with no dependency to add.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from wfbench.errors import DefinitionError, WfbenchError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3

Handler = Callable[[argparse.Namespace, TextIO], int]


def _print_json(value: Any, out: TextIO) -> None:
    out.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


# --------------------------------------------------------------------------- definitions


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from wfbench.model import read_document
    from wfbench.validation import validate

    results: list[dict[str, Any]] = []
    code = EXIT_OK
    for name in args.files:
        try:
            doc, _ = read_document(Path(name))
        except DefinitionError as exc:
            issues = [i.to_dict() for i in exc.issues]
            results.append({"file": name, "valid": False, "issues": issues})
            code = EXIT_USAGE
            continue
        report = validate(doc)
        results.append(
            {"file": name, "valid": report.valid, "issues": [i.to_dict() for i in report.issues]}
        )
        if not report.valid and code == EXIT_OK:
            code = EXIT_FAILED
    if args.json:
        _print_json(results, out)
        return code
    for result in results:
        errors = [i for i in result["issues"] if i["severity"] == "error"]
        warnings = len(result["issues"]) - len(errors)
        verdict = "valid" if result["valid"] else f"INVALID ({len(errors)} error(s))"
        extra = f", {warnings} warning(s)" if warnings else ""
        out.write(f"{result['file']}: {verdict}{extra}\n")
        for issue in result["issues"]:
            where = f"node '{issue['node']}'" if issue["node"] else "workflow"
            if issue["field"]:
                where += f", {issue['field']}"
            out.write(f"  {issue['severity']:7} {issue['code']:18} {where}: {issue['message']}\n")
    return code


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from wfbench.model import json_schema

    _print_json(json_schema(), out)
    return EXIT_OK


def cmd_roles(args: argparse.Namespace, out: TextIO) -> int:
    from wfbench.roles import PERMISSIONS, RoleRegistry

    roles = list(RoleRegistry())
    if args.json:
        _print_json(
            [
                {
                    "name": r.name,
                    "builtin": r.builtin,
                    "description": r.description,
                    "permissions": [p for p in PERMISSIONS if p in r.permissions],
                }
                for r in roles
            ],
            out,
        )
        return EXIT_OK
    for r in roles:
        perms = ", ".join(p for p in PERMISSIONS if p in r.permissions)
        out.write(f"{r.name:28} {perms}\n")
    return EXIT_OK


def cmd_actions(args: argparse.Namespace, out: TextIO) -> int:
    from wfbench.actions import builtin_registry

    registry = builtin_registry()
    if args.json:
        _print_json(
            [
                {
                    "name": s.name,
                    "category": s.category,
                    "description": s.description,
                    "permissions": sorted(s.permissions),
                    "side_effects": s.side_effects,
                    "input_schema": s.input_model.model_json_schema(by_alias=True),
                    "output_schema": s.output_model.model_json_schema(by_alias=True),
                }
                for s in registry
            ],
            out,
        )
        return EXIT_OK
    for category, specs in registry.categories().items():
        out.write(f"{category}\n")
        for s in specs:
            perms = ", ".join(sorted(s.permissions)) or "-"
            effect = "changes" if s.side_effects else "reads"
            out.write(f"  {s.name:28} {effect:8} {perms:32} {s.description}\n")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wfbench",
        description="Build, validate and run manual workflows (wfbench/v1).",
    )
    parser.add_argument(
        "--db", metavar="PATH", help="the store file (default: $WFBENCH_DB or ./wfbench.duckdb)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(
        name: str, handler: Handler, help_: str, *, json_flag: bool = True
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        if json_flag:
            p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(handler=handler)
        return p

    p = add("validate", cmd_validate, "check workflow files and list every problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    add("schema", cmd_schema, "print the JSON Schema of the wfbench/v1 format", json_flag=False)
    add("roles", cmd_roles, "list the roles and their permissions")
    add("actions", cmd_actions, "list the action catalogue")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``wfbench`` console script; returns the exit code."""
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        return int(exc.code or 0)
    handler: Handler = args.handler
    try:
        return handler(args, out)
    except WfbenchError as exc:
        sys.stderr.write(f"wfbench: {exc}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        sys.stderr.write("wfbench: interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
