"""wfbench.workbench.facade: ``Workbench``, the one object a notebook, the CLI and the API
hold: its store file, and the short paths to its parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfbench.engine import RunHandle
from wfbench.errors import DefinitionError
from wfbench.runs import RunRecord
from wfbench.workbench import Workbench

from .support import HELLO


def test_the_store_file_comes_from_the_argument_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WFBENCH_DB", raising=False)
    assert Workbench().path == "wfbench.duckdb"
    monkeypatch.setenv("WFBENCH_DB", str(tmp_path / "env.duckdb"))
    assert Workbench().path == str(tmp_path / "env.duckdb")
    wb = Workbench(tmp_path / "given.duckdb", user="ada")
    assert repr(wb) == f"Workbench({str(tmp_path / 'given.duckdb')!r})" and wb.user == "ada"
    assert not any(tmp_path.iterdir())  # nothing is made until it is used


def test_init_again_keeps_the_organisation_and_the_samples(db: Path) -> None:
    wb = Workbench(db)  # a copy of the demo store: initialised once already
    versions = wb.workflows()[["name", "version"]].to_dict("records")
    assert wb.init(demo=True) is False  # nothing seeded again
    assert wb.workflows()[["name", "version"]].to_dict("records") == versions
    assert Workbench(":memory:").init() is False  # tables only


def test_short_paths_reach_the_parts(memory_wb: Workbench) -> None:
    wb = memory_wb
    with pytest.raises(DefinitionError, match="a workflow needs a name"):
        wb.create("")
    assert wb.create("Draft").name == "Draft" and wb.workflows.find("Draft") is None
    assert wb.validate({**HELLO, "run_as": "nobody"}).errors[0].code == "role.unknown"
    info = wb.save(HELLO)
    assert wb.get("Hello") == wb.workflows.get(info.id)
    handle = wb.run("Hello", {"name": "Ada"}, wait=False)
    assert isinstance(handle, RunHandle)
    record = handle.wait(60)
    assert isinstance(record, RunRecord) and record.status == "succeeded"
    assert list(wb.steps(record.run_id)["node"]) == ["log"]
    assert wb.sql("SELECT count(*) AS n FROM runs WHERE run_id = ?", [record.run_id])["n"][0] == 1


def test_check_runs_cases_in_a_sandbox(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.save(HELLO)
    report = wb.check(
        "Hello",
        [
            {"name": "ok", "input": {"name": "Ada"}},
            {"name": "no name", "input": {}, "expect": {"status": "rejected"}},
        ],
    )
    assert report.passed and [r.case for r in report.results] == ["ok", "no name"]
    assert wb.runs().empty  # nothing reached the store


def test_reset_directory_brings_the_sample_back(memory_wb: Workbench) -> None:
    wb = memory_wb
    wb.init()
    counts = wb.reset_directory()
    assert counts["users"] == int(wb.sql("SELECT count(*) AS n FROM users")["n"][0]) > 0
