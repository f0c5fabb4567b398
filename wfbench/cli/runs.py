"""Commands on runs: run, runs, show. A run prints in the one shape the faces share
(:func:`wfbench.workbench.run_document`)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from wfbench.cli.exits import EXIT_FAILED, EXIT_OK, EXIT_REJECTED, EXIT_USAGE
from wfbench.cli.output import frame_records, print_json, text_table, workbench
from wfbench.errors import RunRejected, UsageError

#: The columns ``wfbench runs`` shows in a terminal.
RUNS_COLUMNS = (
    "run_id",
    "workflow",
    "version",
    "status",
    "dry_run",
    "directory",
    "started_by",
    "started_at",
    "duration_ms",
    "error",
)
_MARKS = {"succeeded": "ok", "failed": "FAILED", "skipped": "skipped", "simulated": "simulated"}


class Progress:
    """Prints each step as it finishes, for a run in a terminal (engine hooks)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def run_started(self, *, run: Any) -> None:
        dry = " (dry run)" if run.dry_run else ""
        self.stream.write(f"run {run.run_id} of '{run.workflow}' v{run.version}{dry}\n")

    def step_started(self, **_: Any) -> None:
        pass

    def step_finished(self, *, run: Any, step: Any, durable: bool) -> None:
        mark = _MARKS.get(step.status, step.status)
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


def _read_input(args: argparse.Namespace) -> tuple[Any, int | None]:
    """The run's input from ``--input`` or ``--input-file``, or an exit code."""
    if (args.input is None) == (args.input_file is None):
        sys.stderr.write("wfbench run: give exactly one of --input JSON or --input-file FILE\n")
        return None, EXIT_USAGE
    from wfbench.model import parse_json, read_text_file  # here: `wfbench --help` stays light

    try:
        text = args.input if args.input is not None else read_text_file(args.input_file)
        return parse_json(text), None
    except UsageError as exc:
        where = "the input" if args.input is not None else f"the input file {args.input_file}"
        sys.stderr.write(f"wfbench run: {where}: {exc}\n")
    return None, EXIT_USAGE


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from wfbench.workbench import Hooks, run_document

    if getattr(args, "inputs", None) is not None:
        if args.input is not None or args.input_file is not None:
            sys.stderr.write("wfbench run: give --inputs FILE or one input, not both\n")
            return EXIT_USAGE
        from wfbench.cli.batch import cmd_batch

        return cmd_batch(args, out)
    value, failed = _read_input(args)
    if failed is not None:
        return failed
    wb = workbench(args)
    if args.plan:
        return _plan(wb, args, value, out)
    progress: list[Hooks] = [] if args.json else [Progress(out)]  # type: ignore[list-item]
    try:
        run = wb.run(
            args.name, value, dry_run=args.dry_run, hooks=progress, directory=args.directory
        )
    except RunRejected as exc:
        if args.json:
            print_json(run_document(wb.runs.get(exc.run_id)), out)
        else:
            out.write(f"{exc}\n")
        return EXIT_REJECTED
    record = wb.runs.get(run.run_id)
    if args.json:
        print_json(run_document(record), out)
    else:
        _summary(record, out)
    return EXIT_OK if run.status == "succeeded" else EXIT_FAILED


def _plan(wb: Any, args: argparse.Namespace, value: Any, out: TextIO) -> int:
    """``wfbench run --plan``: the changes a real run would make, and where; nothing written."""
    from wfbench.workbench import run_document

    try:
        plan = wb.directory.plan(args.name, value, directory=args.directory, started_by="cli")
    except RunRejected as exc:
        if args.json:
            print_json(run_document(wb.runs.get(exc.run_id)), out)
        else:
            out.write(f"{exc}\n")
        return EXIT_REJECTED
    if args.json:
        print_json(plan.to_dict(), out)
    else:
        out.write(plan.text() + "\n")
    return EXIT_OK if plan.ok else EXIT_FAILED


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
    from wfbench.workbench import RUN_KEYS

    wb = workbench(args)
    if args.json:
        rows = frame_records(wb.runs(args.workflow, status=args.status, limit=args.limit))
        print_json([{k: r.get(k) for k in RUN_KEYS if k in r} for r in rows], out)
        return EXIT_OK
    # a terminal's table: no pandas to load
    table = wb.runs(args.workflow, status=args.status, limit=args.limit, format="rows")
    if not table.rows:
        out.write("no runs yet\n")
        return EXIT_OK
    keep = [table.columns.index(c) for c in RUNS_COLUMNS if c in table.columns]
    out.write(
        text_table([table.columns[i] for i in keep], [[r[i] for i in keep] for r in table.rows])
    )
    return EXIT_OK


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    from wfbench.workbench import run_document

    run = workbench(args).runs.get(args.run_id)
    if args.json:
        print_json(run_document(run), out)
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
    for reason in run.get("reasons") or ():
        out.write(f"  rejected: {reason['pointer'] or '/'}: {reason['message']}\n")
    if run.get("error"):
        out.write(f"error: {run['error']}\n")
    return EXIT_OK
