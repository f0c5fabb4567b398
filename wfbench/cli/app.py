"""``wfbench app``: the workbench as a web page, without code cells, for people who do not
write Python (trainees, help-desk staff).

It is Voilà (the Jupyter project's tool for exactly this: a notebook served as an app, its
code hidden, its widgets live) serving the packaged ``workbench.ipynb``, whose one cell
shows the workflows overview on the same store as the CLI (``--db`` / ``$WFBENCH_DB``).
Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import TextIO

from wfbench.cli.exits import EXIT_OK, EXIT_USAGE

#: The notebook the app serves (package data).
APP_NOTEBOOK = Path(__file__).resolve().parent.parent / "widgets" / "app" / "workbench.ipynb"


def app_command(db: str, host: str, port: int) -> list[str]:
    """The Voilà command line that serves the app."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(APP_NOTEBOOK),
        f"--port={port}",
        f"--Voila.ip={host}",
        "--no-browser",
        "--theme=light",
        f"--Voila.root_dir={APP_NOTEBOOK.parent}",
    ]


def cmd_app(args: argparse.Namespace, out: TextIO) -> int:
    if importlib.util.find_spec("voila") is None:
        sys.stderr.write(
            "wfbench app: Voilà is not installed; pip install 'wfbench[app]' (or voila)\n"
        )
        return EXIT_USAGE
    db = os.path.abspath(args.db or os.environ.get("WFBENCH_DB") or "wfbench.duckdb")
    if not os.path.exists(db):
        sys.stderr.write(
            f"wfbench app: no store at {db}; make one with `wfbench init --demo` or give --db\n"
        )
        return EXIT_USAGE
    env = {**os.environ, "WFBENCH_DB": db}
    env.pop("WFBENCH_TABS", None)  # a page of its own: nothing opens in tabs there
    out.write(f"wfbench app on http://{args.host}:{args.port}/ (store {db}); Ctrl-C stops it\n")
    out.flush()
    try:
        code = subprocess.call(app_command(db, args.host, args.port), env=env)
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_OK if code == 0 else EXIT_USAGE
