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
from typing import TYPE_CHECKING, Any, TextIO

from wfbench.errors import DefinitionError, NotFound, UsageError, WfbenchError
from wfbench.store import RUN_FIELDS, RUN_STATUSES, STEP_FIELDS

if TYPE_CHECKING:
    from wfbench.workbench import Workbench


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


# --------------------------------------------------------------------------- the store


# The shapes ``run``/``show --json`` print (PRODUCT.md section 5): the store's fields, less
# what identifies a run's rows to the store itself.
RUN_KEYS = tuple(f for f in RUN_FIELDS if f != "workflow_id")
STEP_KEYS = tuple(f for f in STEP_FIELDS if f not in ("run_id", "started_at", "ended_at"))


def _workbench(args: argparse.Namespace) -> Workbench:
    from wfbench.workbench import Workbench

    return Workbench(args.db, user="cli")


def run_document(run: dict[str, Any]) -> dict[str, Any]:
    """A run as ``run`` and ``show --json`` print it and the HTTP API returns it."""
    out = {k: run.get(k) for k in RUN_KEYS}
    out["steps"] = [{k: s.get(k) for k in STEP_KEYS} for s in run.get("steps", [])]
    return out


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    wb = _workbench(args)
    seeded = wb.init(demo=args.demo)
    out.write(f"initialised {wb.path}\n")
    if args.demo and not seeded:
        out.write("the demo directory was already seeded; kept as it is\n")
    elif args.demo:
        counts = wb.sql(
            "select (select count(*) from users) as users, "
            "(select count(*) from groups) as groups, "
            "(select count(*) from devices) as devices"
        ).iloc[0]
        out.write(
            f"seeded the demo directory: {counts['users']} users, "
            f"{counts['groups']} groups, {counts['devices']} devices\n"
        )
        for name in wb.workflows()["name"]:
            out.write(f"imported workflow '{name}'\n")
    return EXIT_OK


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    wb = _workbench(args)
    try:
        infos = wb.import_files(*args.files)
    except DefinitionError as exc:
        unreadable = any(i.code.startswith("file.") for i in exc.issues)
        sys.stderr.write(f"wfbench: nothing imported.\n{exc}\n")
        return EXIT_USAGE if unreadable else EXIT_FAILED
    for info in infos:
        out.write(f"imported '{info.name}' (id {info.id}, version {info.version})\n")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    text = _workbench(args).export(args.name, args.output)
    if args.output is None:
        out.write(text)
    return EXIT_OK


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    frame = _workbench(args).workflows()
    if args.json:
        _print_json(json.loads(frame.to_json(orient="records", date_format="iso")), out)
    elif frame.empty:
        out.write("no workflows yet: `wfbench import FILE` or `wfbench init --demo`\n")
    else:
        out.write(frame.to_string(index=False) + "\n")
    return EXIT_OK


def cmd_enable(args: argparse.Namespace, out: TextIO) -> int:
    wb = _workbench(args)
    info = wb.enable(args.name) if args.command == "enable" else wb.disable(args.name)
    out.write(f"'{info.name}' is now {'enabled' if info.enabled else 'disabled'}\n")
    return EXIT_OK


class _Progress:
    """Prints each step as it finishes, for a run in a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def run_started(self, *, run: Any) -> None:
        dry = " (dry run)" if run.dry_run else ""
        self.stream.write(f"run {run.run_id} of '{run.workflow}' v{run.version}{dry}\n")

    def step_started(self, **_: Any) -> None:
        pass

    def step_finished(self, *, run: Any, step: Any, durable: bool) -> None:
        mark = {
            "succeeded": "ok",
            "failed": "FAILED",
            "skipped": "skipped",
            "simulated": "simulated",
        }.get(step.status, step.status)
        took = f"{step.duration_ms:7.1f} ms" if step.duration_ms is not None else " " * 10
        line = f"  {mark:9} {took}  {step.path}"
        if step.error:
            line += f"  -- {step.error}"
        elif step.change:
            line += f"  -- {step.change}"
        self.stream.write(line + "\n")
        self.stream.flush()

    def run_finished(self, *, run: Any) -> None:
        pass


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from wfbench.engine import Hooks
    from wfbench.errors import RunRejected

    if (args.input is None) == (args.input_file is None):
        sys.stderr.write("wfbench run: give exactly one of --input JSON or --input-file FILE\n")
        return EXIT_USAGE
    try:
        text = args.input if args.input is not None else Path(args.input_file).read_text()
        value = json.loads(text)
    except OSError as exc:
        sys.stderr.write(f"wfbench run: cannot read {args.input_file}: {exc.strerror}\n")
        return EXIT_USAGE
    except json.JSONDecodeError as exc:
        sys.stderr.write(
            f"wfbench run: the input is not valid JSON: {exc.msg} at line "
            f"{exc.lineno} column {exc.colno}\n"
        )
        return EXIT_USAGE
    wb = _workbench(args)
    progress: list[Hooks] = [] if args.json else [_Progress(out)]  # type: ignore[list-item]
    try:
        run = wb.run(args.name, value, dry_run=args.dry_run, hooks=progress)
    except RunRejected as exc:
        if args.json:
            _print_json(run_document(wb.get_run(exc.run_id)), out)
        else:
            out.write(f"{exc}\n")
        return EXIT_REJECTED
    record = wb.get_run(run.run_id)
    if args.json:
        _print_json(run_document(record), out)
    else:
        _summary(record, out)
    return EXIT_OK if run.status == "succeeded" else EXIT_FAILED


def _summary(run: dict[str, Any], out: TextIO) -> None:
    counts: dict[str, int] = {}
    for step in run["steps"]:
        counts[step["status"]] = counts.get(step["status"], 0) + 1
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    took = f"{run['duration_ms']:.0f} ms" if run.get("duration_ms") is not None else "-"
    out.write(
        f"{run['status'].upper()}: '{run['workflow']}' v{run['version']} in {took}; "
        f"steps: {parts or 'none'}\n"
    )
    if run.get("error"):
        out.write(f"error: {run['error']}\n")
    out.write(f"details: wfbench show {run['run_id']}\n")


def cmd_runs(args: argparse.Namespace, out: TextIO) -> int:
    frame = _workbench(args).runs(args.workflow, status=args.status, limit=args.limit)
    if args.json:
        rows = json.loads(frame.to_json(orient="records", date_format="iso"))
        _print_json([{k: r.get(k) for k in RUN_KEYS if k in r} for r in rows], out)
    elif frame.empty:
        out.write("no runs yet\n")
    else:
        cols = [
            c
            for c in (
                "run_id",
                "workflow",
                "version",
                "status",
                "dry_run",
                "started_by",
                "started_at",
                "duration_ms",
                "error",
            )
            if c in frame.columns
        ]
        out.write(frame[cols].to_string(index=False, max_colwidth=60) + "\n")
    return EXIT_OK


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    run = _workbench(args).get_run(args.run_id)
    if args.json:
        _print_json(run_document(run), out)
        return EXIT_OK
    out.write(
        f"run {run['run_id']}  {run['workflow']} v{run['version']}  {run['status']}"
        f"{'  (dry run)' if run['dry_run'] else ''}\n"
    )
    out.write(f"started by {run['started_by']} at {run['started_at']}, run as {run['run_as']}\n")
    out.write(f"input: {json.dumps(run['input'], default=str)}\n")
    for step in run["steps"]:
        line = f"  {step['seq']:>4} {step['status']:9} {step['path']}"
        if step.get("attempts", 0) > 1:
            line += f" (attempts: {step['attempts']})"
        if step.get("error"):
            line += f"  -- {step['error']}"
        elif step.get("change"):
            line += f"  -- {step['change']}"
        out.write(line + "\n")
    if run.get("reasons"):
        for reason in run["reasons"]:
            out.write(f"  rejected: {reason['pointer'] or '/'}: {reason['message']}\n")
    if run.get("error"):
        out.write(f"error: {run['error']}\n")
    return EXIT_OK


# --------------------------------------------------------------------------- tests


def cmd_test(args: argparse.Namespace, out: TextIO) -> int:
    """Run the cases beside each workflow file (``NAME.cases.json``) in the sandbox."""
    wb = _workbench(args)
    code, records = EXIT_OK, []
    for file in args.files:
        try:
            report = wb.check(Path(file))
        except (DefinitionError, UsageError) as exc:
            sys.stderr.write(f"wfbench test: {exc}\n")
            code = EXIT_USAGE
            continue
        records += report.records(file)
        code = max(code, EXIT_OK if report.passed else EXIT_FAILED)
        if not args.json:
            out.write("\n".join(report.lines()) + "\n")
    if args.json:
        _print_json(records, out)
    return code


# --------------------------------------------------------------------------- HTTP API


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from wfbench.api import serve_forever

    wb = _workbench(args)
    if not any(not k.revoked for k in wb.store.api_keys()):
        sys.stderr.write(
            "wfbench serve: no API key yet, so every call will be refused (401); "
            "make one with `wfbench apikey create NAME --role runner`\n"
        )

    def announce(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    try:
        serve_forever(
            wb,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            announce=announce,
            classroom=args.classroom,
        )
    except OSError as exc:
        sys.stderr.write(
            f"wfbench serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}; "
            "choose another --port or --host\n"
        )
        return EXIT_USAGE
    return EXIT_OK


def cmd_apikey(args: argparse.Namespace, out: TextIO) -> int:
    store = _workbench(args).store
    if args.action == "create":
        try:
            key = store.create_api_key(args.name, args.role)
        except WfbenchError as exc:
            sys.stderr.write(f"wfbench apikey: {exc}\n")
            return EXIT_USAGE
        if args.json:
            _print_json({"name": args.name, "role": args.role, "key": key}, out)
        else:
            out.write(key + "\n")
        sys.stderr.write(
            f"API key '{args.name}' ({args.role}) created. Keep it now: it is shown only "
            "once. Send it as the x-api-key header.\n"
        )
        return EXIT_OK
    if args.action == "revoke":
        info = store.revoke_api_key(args.name)
        out.write(f"API key '{info.name}' revoked\n")
        return EXIT_OK
    keys = [
        {
            "name": k.name,
            "role": k.role,
            "created_at": k.created_at.isoformat(),
            "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
            "revoked": k.revoked,
        }
        for k in store.api_keys()
    ]
    if args.json:
        _print_json(keys, out)
    elif not keys:
        out.write("no API keys yet: `wfbench apikey create NAME --role viewer|runner|editor`\n")
    else:
        for k in keys:
            state = "revoked" if k["revoked"] else "active"
            used = k["last_used_at"] or "never used"
            out.write(f"{k['name']:24} {k['role']:7} {state:8} created {k['created_at']}  {used}\n")
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
    p = add("run", cmd_run, "start a manual run")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--input", metavar="JSON", help="the input, as JSON text")
    p.add_argument("--input-file", metavar="FILE", help="the input, from a JSON file")
    p.add_argument(
        "--dry-run", action="store_true", help="change nothing: side-effecting steps are simulated"
    )
    p = add("runs", cmd_runs, "list past runs, newest first")
    p.add_argument("--workflow", metavar="NAME")
    p.add_argument("--status", choices=RUN_STATUSES)
    p.add_argument("--limit", type=int, metavar="N")
    p = add("show", cmd_show, "show one run with its steps")
    p.add_argument("run_id", metavar="RUN_ID")
    p = add("test", cmd_test, "run the test cases beside workflow files (NAME.cases.json)")
    p.add_argument("files", nargs="+", metavar="WORKFLOW.json")
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
    except NotFound as exc:
        sys.stderr.write(f"wfbench: {exc}\n")
        return EXIT_USAGE
    except WfbenchError as exc:
        sys.stderr.write(f"wfbench: {exc}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        sys.stderr.write("wfbench: interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
