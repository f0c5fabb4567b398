"""``wfbench test``: the cases beside workflow files, run in the sandbox."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from wfbench.cli.exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from wfbench.cli.output import print_json, workbench
from wfbench.errors import DefinitionError, UsageError


def cmd_test(args: argparse.Namespace, out: TextIO) -> int:
    """Run the cases beside each workflow file (``NAME.cases.json``) in the sandbox."""
    if args.timeout is not None and not 0 < args.timeout <= 3600:
        raise UsageError(f"--timeout must be more than 0 and at most 3600 s, not {args.timeout:g}")
    wb = workbench(args)
    code, records = EXIT_OK, list[Any]()
    for file in args.files:
        try:
            report = wb.check(Path(file), timeout_s=args.timeout)
        except (DefinitionError, UsageError) as exc:
            sys.stderr.write(f"wfbench test: {exc}\n")
            code = EXIT_USAGE
            continue
        records += report.records(file)
        code = max(code, EXIT_OK if report.passed else EXIT_FAILED)
        if not args.json:
            out.write("\n".join(report.lines()) + "\n")
    if args.json:
        print_json(records, out)
    return code
