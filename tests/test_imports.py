"""What importing wfbench loads (issue 12: start fast), checked by module, never by time.

Each check runs a fresh interpreter, so modules a test session already loaded do
not hide a regression. The lists name what a command that needs none of it must
not pay for: DataFrames, Arrow, the web stack, widgets, plotting and the
optional format checkers of ``jsonschema``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "pandas",
    "numpy",
    "pyarrow",
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "ipywidgets",
    "ipycytoscape",
    "dask",
    "distributed",
    "matplotlib",
    "rfc3987_syntax",
    "lark",
    "isoduration",
    "rfc3986_validator",
)


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nimport json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    modules: list[str] = json.loads(out.strip().splitlines()[-1])
    return modules


def _heavy(modules: list[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(HEAVY))


@pytest.mark.parametrize(
    "code",
    ["import wfbench", "import wfbench.cli", "import wfbench.workbench", "import wfbench.engine"],
)
def test_importing_wfbench_loads_nothing_heavy(code: str) -> None:
    modules = _loaded_after(code)
    assert "wfbench" in modules
    assert _heavy(modules) == []


def test_the_help_of_the_command_loads_nothing_heavy() -> None:
    code = (
        "from wfbench.cli import main\n"
        "import io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    assert main(['--help']) == 0\n"
        "assert 'usage' in out.getvalue()"
    )
    modules = _loaded_after(code)
    assert _heavy(modules) == []
    assert {"duckdb", "pydantic", "jsonschema", "wfbench.workbench"} & set(modules) == set()


PING = {
    "format": "wfbench/v1",
    "name": "Ping",
    "run_as": "read_only",
    "steps": [{"id": "log", "kind": "action", "action": "core.log", "with": {"message": "ping"}}],
}


def test_a_short_run_from_the_command_loads_no_dataframes(tmp_path: Path) -> None:
    """``wfbench run`` of a one-step workflow needs neither pandas, Arrow nor the web stack
    (its few step rows go in as one VALUES statement)."""
    db, ping = tmp_path / "w.duckdb", tmp_path / "ping.json"
    ping.write_text(json.dumps(PING), encoding="utf-8")
    _loaded_after(
        f"from wfbench.cli import main; main(['--db', {str(db)!r}, 'import', {str(ping)!r}])"
    )
    code = (
        "import io\n"
        "from wfbench.cli import main\n"
        "out = io.StringIO()\n"
        f"code = main(['--db', {str(db)!r}, 'run', 'Ping', '--input', '{{}}'], out)\n"
        "assert code == 0, (code, out.getvalue())\n"
        "assert 'SUCCEEDED' in out.getvalue(), out.getvalue()"
    )
    assert _heavy(_loaded_after(code)) == []


def test_optional_formats_are_still_checked() -> None:
    """Hiding the format packages at import keeps their checks (loaded on first use)."""
    code = (
        "from wfbench.validation.inputs import schema_errors\n"
        "bad = {f: v for f, v in [('iri', 'not an iri'), ('uri', 'nope'), "
        "('uri-reference', 'a b'), ('duration', '1D'), ('email', 'x')]}\n"
        "good = {'iri': 'http://e.example/a', 'uri': 'http://x/y', 'duration': 'P1D'}\n"
        "for f, v in bad.items():\n"
        "    assert schema_errors({'type': 'string', 'format': f}, v), f\n"
        "for f, v in good.items():\n"
        "    assert not schema_errors({'type': 'string', 'format': f}, v), f"
    )
    modules = _loaded_after(code)
    assert "rfc3987_syntax" in modules  # loaded when an IRI was checked, not before
