"""Issue 10.9: the CLI answers every bad file and argument with one line and PRODUCT's code.

In process through ``main(argv)`` (a traceback would escape as an exception or show in
stderr); a FIFO and ``/dev/zero`` are real, so a blocking or unbounded read hangs the
test (the guard turns that into a failure).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfbench.cli import main

from .conftest import hang_guard

HELLO = {
    "format": "wfbench/v1",
    "name": "Hello",
    "type": "manual",
    "run_as": "read_only",
    "trigger": {"input_schema": {"type": "object"}},
    "steps": [{"id": "hi", "kind": "action", "action": "core.log", "with": {"message": "hi"}}],
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    hello = tmp_path / "hello.json"
    hello.write_text(json.dumps(HELLO))
    assert main(["--db", str(path), "import", str(hello)]) == 0
    return path


def one_line_error(capsys: pytest.CaptureFixture[str], code: int, expected: int) -> str:
    err = capsys.readouterr().err
    assert code == expected, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "a refusal must say why"
    return err


def bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "latin1": tmp_path / "latin1.json",
        "binary": tmp_path / "binary.json",
        "deep": tmp_path / "deep.json",
        "nan": tmp_path / "nan.json",
        "empty": tmp_path / "empty.json",
        "dir": tmp_path / "adir",
        "missing": tmp_path / "missing.json",
        "loop": tmp_path / "loop.json",
        "fifo": tmp_path / "fifo.json",
        "zero": Path("/dev/zero"),
        "bigint": tmp_path / "bigint.json",
    }
    files["latin1"].write_bytes('{"name": "caf\xe9"}'.encode("latin-1"))
    files["binary"].write_bytes(os.urandom(4096))
    files["deep"].write_text("[" * 100_000 + "]" * 100_000)
    files["nan"].write_text('{"a": NaN}')
    files["empty"].write_text("")
    files["dir"].mkdir()
    os.symlink(files["loop"], files["loop"])
    os.mkfifo(files["fifo"])
    files["bigint"].write_text('{"a": ' + "9" * 5000 + "}")
    return files


def test_bad_files_for_validate_import_and_input_file(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, path in bad_files(tmp_path).items():
        for argv in (
            ["validate", str(path)],
            ["import", str(path)],
            ["run", "Hello", "--input-file", str(path)],
        ):
            with hang_guard():
                code = main(["--db", str(db), *argv])
            expected = {0, 1, 2} if argv[0] != "run" else {2}
            err = capsys.readouterr().err
            assert (code in expected and code != 0) or name == "none", (name, argv, code, err)
            assert "Traceback" not in err, (name, argv)
            if argv[0] == "run":
                assert str(path) in err, (name, err)


@pytest.mark.parametrize(
    "target",
    ["adir", "missing/x.json", "", "loop.json", "x" * 300 + ".json", "ro/x.json"],
)
def test_every_export_write_error_is_one_line(
    db: Path, tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "adir").mkdir()
    (tmp_path / "ro").mkdir()
    if os.geteuid() != 0:
        (tmp_path / "ro").chmod(0o500)
    loop = tmp_path / "loop.json"
    os.symlink(loop, loop)
    path = str(tmp_path / target) if target else ""
    code = main(["--db", str(db), "export", "Hello", "-o", path])
    if target == "ro/x.json" and os.geteuid() == 0:
        assert code == 0
        return
    err = one_line_error(capsys, code, 2)
    assert "export" in err or "write" in err


def test_a_full_disk_is_one_line(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    code = main(["--db", str(db), "export", "Hello", "-o", "/dev/full"])
    err = one_line_error(capsys, code, 2)
    assert "/dev/full" in err


@pytest.mark.parametrize("limit", ["-1", "0", "99999999999999999999", "x", "1e3", "-0"])
def test_runs_limit_out_of_range_is_a_usage_error(
    db: Path, limit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", str(db), "runs", "--limit", limit])
    err = one_line_error(capsys, code, 2)
    assert "--limit" in err


@pytest.mark.parametrize("path", ["", " ", ":memory:"])
def test_an_empty_db_path_is_refused_not_in_memory(
    path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hello = tmp_path / "hello.json"
    hello.write_text(json.dumps(HELLO))
    code = main(["--db", path, "import", str(hello)])
    err = one_line_error(capsys, code, 2)
    assert "--db" in err


def test_unexpected_errors_are_one_line_with_where_to_report(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wfbench.workbench.workflows import Workflows

    def boom(self: Any, **_: Any) -> Any:
        raise ZeroDivisionError("something nobody planned")

    monkeypatch.setattr(Workflows, "__call__", boom)  # wb.workflows(), in any format
    code = main(["--db", str(db), "list"])
    err = one_line_error(capsys, code, 1)
    assert "ZeroDivisionError" in err and "report" in err


def test_surrogate_input_is_rejected_before_the_run(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 10.10 from the CLI: a run id, a failed step, then a DuckDB traceback."""
    code = main(["--db", str(db), "run", "Hello", "--input", '{"email": "\\ud800@x.com"}'])
    said = capsys.readouterr()
    assert code == 3 and "Traceback" not in said.err
    assert "surrogate" in said.out + said.err
    assert main(["--db", str(db), "runs", "--json"]) == 0


_ARGS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "validate",
                "import",
                "export",
                "run",
                "runs",
                "show",
                "list",
                "--limit",
                "--input",
                "--input-file",
                "-o",
                "--json",
                "--dry-run",
                "Hello",
                "--status",
                "enable",
                "disable",
                "roles",
                "actions",
                "schema",
                "/dev/zero",
                "/",
                "-1",
                "",
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=6,
)


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(argv=_ARGS)
def test_cli_fuzz_never_a_traceback(
    argv: list[str], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if "serve" in argv:
        return
    with hang_guard(30):
        try:
            code = main(["--db", str(db), *argv])
        except SystemExit as exc:  # argparse --help
            code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code in (0, 1, 2, 3, 4), (argv, code, err)
