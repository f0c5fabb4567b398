"""Shared helpers for the issue-12 benchmarks: machine notes, interleaved medians, output.

Every script prints the product's figure beside a floor measured in the same run, as a
ratio; figures are medians of interleaved repeats (floor, product, floor, product, ...),
never a best run. ``--json PATH`` (``-`` for stdout) writes the same figures for README
generation; ``--quick`` is a smoke run at small sizes.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
WFBENCH = str(BIN / "wfbench") if (BIN / "wfbench").exists() else "wfbench"


def parser(doc: str | None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=(doc or "").strip().splitlines()[0] if doc else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON (- = stdout)")
    return p


def machine() -> dict[str, Any]:
    """What the figures were measured on, with the load seen at the time."""
    try:  # not imported: a parent that imports little keeps its children's peak RSS honest
        duck = importlib.metadata.version("duckdb")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        duck = "?"
    mem = 0
    with contextlib.suppress(ValueError, OSError):
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "mem_gib": round(mem / 2**30, 1),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "duckdb": duck,
        "load": [round(x, 2) for x in os.getloadavg()],
    }


class Load:
    """Samples the load average at start and end of a benchmark (it is printed with it)."""

    def __init__(self) -> None:
        self.start = os.getloadavg()[0]

    def note(self) -> dict[str, float]:
        return {"load_start": round(self.start, 2), "load_end": round(os.getloadavg()[0], 2)}


def header(title: str) -> dict[str, Any]:
    m = machine()
    print(f"# {title}")
    print(
        f"machine: {m['machine']}, {m['cpus']} CPUs, {m['mem_gib']} GiB, {m['python']}, "
        f"duckdb {m['duckdb']}; load average {m['load'][0]} / {m['load'][1]} / {m['load'][2]} "
        f"(1/5/15 min) at {m['when']}"
    )
    return m


def interleave(
    fns: dict[str, Callable[[], Any]], repeats: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Call each function in turn, ``repeats`` rounds; seconds per call, by name."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def stats(xs: Sequence[float]) -> dict[str, float]:
    """Median, p95, min and max of ``xs`` (as given: seconds stay seconds)."""
    if not xs:
        return {"n": 0, "median": float("nan"), "p95": float("nan"), "min": float("nan")}
    s = sorted(xs)
    return {
        "n": len(s),
        "median": statistics.median(s),
        "p95": s[min(len(s) - 1, round(0.95 * (len(s) - 1)))],
        "min": s[0],
        "max": s[-1],
    }


def timed_child(
    cmd: Sequence[str], timeout: float = 600, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``cmd`` in a fresh process and reap it with ``os.wait4``: wall seconds, the child's
    peak RSS (MiB), return code and output (written to temporary files).

    Linux counts a child's peak RSS from before its ``exec`` too, so ``rss_mib`` is only the
    child's own when this process is small: call it from a parent that has not imported
    wfbench or duckdb (children that can should print their own ``VmHWM``: see ``HWM``)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.0005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "wall": wall,
            "rss_mib": usage.ru_maxrss / 1024,
            "cpu": usage.ru_utime + usage.ru_stime,
            "rc": proc.returncode,
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace"),
        }


HWM = """
def _hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""


def self_rss_mib() -> float:
    """This process's peak RSS so far, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    """This process's resident set now, MiB (Linux /proc; peak RSS elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # pragma: no cover
        return self_rss_mib()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def write_json(path: str | None, payload: dict[str, Any]) -> None:
    if not path:
        return
    text = json.dumps(payload, indent=2, default=str)
    if path == "-":
        print(text)
    else:
        Path(path).write_text(text + "\n", encoding="utf-8")
        print(f"figures written to {path}")


def table(rows: list[list[str]], head: list[str]) -> None:
    """A Markdown table, ready to paste."""
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


PING = {
    "format": "wfbench/v1",
    "name": "Ping",
    "run_as": "read_only",
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "ping"}}],
}
