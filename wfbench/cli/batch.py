"""``wfbench run NAME --inputs FILE``: a batch, one run per row of a CSV, JSON Lines or
Parquet file, with progress on stderr and a summary at the end (``--batch ID`` resumes)."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from wfbench.cli.exits import EXIT_FAILED, EXIT_OK, EXIT_REJECTED
from wfbench.cli.output import frame_records, print_json, workbench
from wfbench.errors import UsageError
from wfbench.printable import SafeStream

#: The file kinds ``--inputs`` reads, by suffix.
KINDS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def read_inputs(path: str) -> Any:
    """The rows of ``path`` (a DataFrame, or a list of dicts for JSON Lines); UsageError
    naming the file, the line and what to do."""
    import pandas as pd

    kind = KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise UsageError(
            f"{path}: give a .csv, .jsonl (JSON Lines) or .parquet file of inputs, one per row"
        )
    from wfbench.model import read_file_bytes, read_text_file

    if kind == "jsonl":  # the rule for every file named: regular, bounded, UTF-8
        return _json_lines(path, read_text_file(path))
    data = io.BytesIO(read_file_bytes(path))
    try:
        if kind == "csv":
            return pd.read_csv(data, encoding="utf-8")
        return pd.read_parquet(data)
    except UsageError:
        raise
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"cannot read {path} as {kind}: {first}") from None
    except Exception as exc:  # pyarrow's own errors for a file that is not Parquet
        raise UsageError(f"cannot read {path} as {kind}: {type(exc).__name__}: {exc}") from None


def _json_lines(path: str, text: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            problems.append(f"line {number}: not JSON ({getattr(exc, 'msg', exc)})")
            continue
        if not isinstance(value, dict):
            problems.append(f"line {number}: an input must be a JSON object")
            continue
        rows.append(value)
    if problems:
        shown = "; ".join(problems[:10]) + (" …" if len(problems) > 10 else "")
        raise UsageError(f"{path}: {len(problems)} bad line(s): {shown}; fix them and try again")
    return rows


class _Printer:
    """Progress on stderr: one line, rewritten in a terminal, every 10 % elsewhere."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = SafeStream(stream)
        self.tty = stream.isatty()
        self.last = -1

    def __call__(self, progress: Any) -> None:
        step = max(progress.total // 10, 1)
        if self.tty:
            self.stream.raw.write("\r")  # its own control character, not from outside
            self.stream.write(progress.line())
        elif progress.done // step != self.last or progress.done == progress.total:
            self.last = progress.done // step
            self.stream.write(progress.line() + "\n")
        self.stream.flush()


def _rerun(rows: list[str] | None) -> bool | list[str]:
    """``--rerun-interrupted`` alone: every row; with row labels: those rows."""
    if rows is None:
        return False
    return rows or True


def cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    import pandas as pd

    rows = read_inputs(args.inputs)
    wb = workbench(args)
    printer = _Printer(sys.stderr)
    frame = wb.run_many(
        args.name,
        rows,
        batch=args.batch,
        concurrency=args.concurrency,
        dry_run=args.dry_run,
        progress=printer,
        started_by="cli",
        rerun_interrupted=_rerun(args.rerun_interrupted),
        directory=args.directory,
    )
    assert isinstance(frame, pd.DataFrame)
    if printer.tty:
        sys.stderr.write("\n")
    counts = frame["status"].value_counts().to_dict()
    if args.json:
        print_json(frame_records(frame), out)
    else:
        batch_id = frame["batch_id"].iloc[0] if len(frame) else args.batch
        parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        resumed = int(frame["resumed"].sum()) if len(frame) else 0
        out.write(f"batch {batch_id}: {len(frame)} input(s): {parts or 'none'}")
        out.write(f" ({resumed} already done before)\n" if resumed else "\n")
        for rec in frame[frame["status"] != "succeeded"].head(10).to_dict(orient="records"):
            out.write(
                f"  row {rec['row']}: {rec['status']} {rec['run_id'] or ''}: {rec['error']}\n"
            )
        if set(counts) - {"succeeded"}:
            out.write(
                f"resume: wfbench run '{args.name}' --inputs {args.inputs} --batch {batch_id}\n"
            )
    if counts.get("failed") or counts.get("cancelled") or counts.get("interrupted"):
        return EXIT_FAILED
    return EXIT_REJECTED if counts.get("rejected") else EXIT_OK
