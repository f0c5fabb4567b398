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
    "httpx2",
    "scim2_client",
    "scim2_models",
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


#: Modules a one-step run of ``core.log`` (input schema without constraints) and
#: ``wfbench --help`` must not load, by exact name: the checker and jsonschema (a saved
#: workflow is not validated again; an object schema that constrains nothing needs no
#: validator), the HTTP action and what it pulls in, DataFrames, the web stack, widgets.
NOT_FOR_A_RUN = (
    "pandas",
    "jsonschema",
    "http.client",
    "ssl",
    "fastapi",
    "ipywidgets",
    "wfbench.validation.checker",
    "wfbench.actions.http",
)


def _not_for_a_run(modules: list[str]) -> list[str]:
    return sorted(set(NOT_FOR_A_RUN) & set(modules))


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
    assert _not_for_a_run(modules) == []
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
    modules = _loaded_after(code)
    assert _heavy(modules) == []
    assert _not_for_a_run(modules) == []
    # Only the category of the action it runs: core.
    categories = {m for m in modules if m.startswith("wfbench.actions.")}
    assert categories & {"wfbench.actions.users", "wfbench.actions.groups"} == set()
    assert "wfbench.actions.core" in categories


def test_a_run_whose_input_schema_constrains_loads_jsonschema(tmp_path: Path) -> None:
    """The other side of the fast path: a schema with a constraint is checked by
    jsonschema, and a bad input is still refused."""
    db, flow = tmp_path / "w.duckdb", tmp_path / "greet.json"
    greet = dict(PING, name="Greet")
    greet["trigger"] = {
        "input_schema": {
            "type": "object",
            "properties": {"who": {"type": "string"}},
            "required": ["who"],
        }
    }
    flow.write_text(json.dumps(greet), encoding="utf-8")
    _loaded_after(
        f"from wfbench.cli import main; main(['--db', {str(db)!r}, 'import', {str(flow)!r}])"
    )
    code = (
        "import io\n"
        "from wfbench.cli import main\n"
        "out = io.StringIO()\n"
        f"code = main(['--db', {str(db)!r}, 'run', 'Greet', '--input', '{{}}'], out)\n"
        "assert code == 3 and \"'who' is a required property\" in out.getvalue(), out.getvalue()"
    )
    assert "jsonschema" in _loaded_after(code)


@pytest.mark.parametrize(
    "code",
    ["import wfbench", "import wfbench.cli", "import wfbench.workbench"],
)
def test_importing_wfbench_loads_no_web_stack_widgets_or_dataframes(code: str) -> None:
    modules = set(_loaded_after(code))
    assert modules & {"fastapi", "ipywidgets", "pandas"} == set()


def test_a_look_up_in_the_catalogue_loads_only_its_category() -> None:
    code = (
        "from wfbench.actions import builtin_registry\n"
        "r = builtin_registry()\n"
        "assert r.get('core.log').name == 'core.log'\n"
        "assert 'http.request' in r and len(r) == len(r.names())"
    )
    modules = _loaded_after(code)
    loaded = {m for m in modules if m.startswith("wfbench.actions.")}
    assert "wfbench.actions.core" in loaded
    assert loaded & {"wfbench.actions.http", "wfbench.actions.users"} == set()
    assert {"http.client", "ssl"} & set(modules) == set()


def test_optional_formats_are_still_checked() -> None:
    """Hiding jsonschema's format packages at import loses no check: wfbench's own
    linear-time table checks those formats, and the grammar package is never loaded."""
    code = (
        "from wfbench.validation.schemas import schema_errors\n"
        "bad = {f: v for f, v in [('iri', 'not an iri'), ('uri', 'nope'), "
        "('uri-reference', 'a b'), ('duration', '1D'), ('email', 'x')]}\n"
        "good = {'iri': 'http://e.example/a', 'uri': 'http://x/y', 'duration': 'P1D'}\n"
        "for f, v in bad.items():\n"
        "    assert schema_errors({'type': 'string', 'format': f}, v), f\n"
        "for f, v in good.items():\n"
        "    assert not schema_errors({'type': 'string', 'format': f}, v), f"
    )
    modules = _loaded_after(code)
    assert "rfc3987_syntax" not in modules  # its grammar costs a second; RE2 checks IRIs


def test_a_run_of_a_few_dozen_steps_from_the_command_loads_no_dataframes(tmp_path: Path) -> None:
    """The sample offboarding (16 steps as a dry run) writes its step rows without Arrow
    while pyarrow is not loaded, so a CLI run of a real workflow stays light too."""
    db = tmp_path / "w.duckdb"
    _loaded_after(f"from wfbench.cli import main; main(['--db', {str(db)!r}, 'init', '--demo'])")
    code = (
        "import io\n"
        "from wfbench.cli import main\n"
        "out = io.StringIO()\n"
        f"code = main(['--db', {str(db)!r}, 'run', 'Offboard contractor', '--dry-run', "
        "'--input', '{\"email\": \"ada.lovelace@example.com\"}', '--json'], out)\n"
        "assert code == 0, (code, out.getvalue())\n"
        "import json; assert len(json.loads(out.getvalue())['steps']) > 8, out.getvalue()"
    )
    assert _heavy(_loaded_after(code)) == []


def test_the_text_listings_load_no_dataframes(tmp_path: Path) -> None:
    """``wfbench list`` and ``wfbench runs`` print their tables without pandas (their
    ``--json`` forms still go through a DataFrame); the rows are the store's."""
    db, ping = tmp_path / "w.duckdb", tmp_path / "ping.json"
    ping.write_text(json.dumps(PING), encoding="utf-8")
    _loaded_after(
        "from wfbench.cli import main\n"
        f"main(['--db', {str(db)!r}, 'import', {str(ping)!r}])\n"
        f"main(['--db', {str(db)!r}, 'run', 'Ping', '--input', '{{}}'])"
    )
    code = (
        "import io\n"
        "from wfbench.cli import main\n"
        "listed, runs = io.StringIO(), io.StringIO()\n"
        f"assert main(['--db', {str(db)!r}, 'list'], listed) == 0\n"
        f"assert main(['--db', {str(db)!r}, 'runs', '--limit', '5'], runs) == 0\n"
        "text = listed.getvalue()\n"
        "assert 'Ping' in text and 'read_only' in text, text\n"
        "assert 'succeeded' in runs.getvalue(), runs.getvalue()"
    )
    modules = _loaded_after(code)
    assert _heavy(modules) == []
