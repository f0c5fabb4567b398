"""Issue 10.8: names and ids are separate lookups everywhere; hostile names are refused."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

import wfbench
from wfbench import Workbench

from .conftest import Api, cli, set_step, workflow


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    bench = Workbench(str(tmp_path / "names.duckdb"))
    bench.init()
    bench.save(workflow([set_step("original")], name="Victim"))
    return bench


def _definition(wb: Workbench, name: str) -> object:
    return wfbench.dump_workflow(wb.get(name))


def test_cli_import_name_equal_to_an_id_does_not_replace(wb: Workbench, tmp_path: Path) -> None:
    victim = wb.workflows.info("Victim")
    before = _definition(wb, victim.id)
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(workflow([set_step("evil")], name=victim.id)))
    result = cli("--db", wb.path, "import", str(path))
    assert result.traceback is None, result.traceback
    again = Workbench(wb.path)
    assert _definition(again, victim.id) == before, "the victim's definition changed"
    assert again.workflows.info("Victim").version == victim.version


def test_python_save_name_equal_to_an_id_does_not_replace(wb: Workbench) -> None:
    victim = wb.workflows.info("Victim")
    before = _definition(wb, "Victim")
    with contextlib.suppress(wfbench.WfbenchError):  # refusing is fine
        wb.save(workflow([set_step("evil")], name=victim.id))
    assert _definition(wb, "Victim") == before
    assert wb.workflows.info("Victim").version == victim.version


def test_api_post_name_equal_to_an_id_is_refused(api: Api) -> None:
    listing = api.call("GET", "/api/v2/workflows", "viewer").json()
    rows = listing if isinstance(listing, list) else listing.get("workflows", listing)
    victim = rows[0]
    victim_id = victim["id"]
    before = api.call("GET", f"/api/v2/workflows/{victim_id}", "viewer").json()
    answer = api.call("POST", "/api/v2/workflows", json=workflow([set_step(1)], name=victim_id))
    assert answer.status_code in (409, 422), answer.text
    after = api.call("GET", f"/api/v2/workflows/{victim_id}", "viewer").json()
    assert after == before


def test_api_put_rename_to_another_id_is_refused(api: Api) -> None:
    first = api.call("POST", "/api/v2/workflows", json=workflow([set_step(1)], name="First"))
    second = api.call("POST", "/api/v2/workflows", json=workflow([set_step(2)], name="Second"))
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    first_id = first.json()["id"]
    second_id = second.json()["id"]
    answer = api.call(
        "PUT", f"/api/v2/workflows/{second_id}", json=workflow([set_step(2)], name=first_id)
    )
    assert answer.status_code in (409, 422), answer.text


HOSTILE = {
    "nul": "a\x00b",
    "bell": "ding\x07",
    "escape": "\x1b[31mred",
    "newline": "two\nlines",
    "carriage-return": "over\rwrite",
    "tab": "tab\tname",
    "del": "del\x7f",
    "c1-control": "c1\x85",
    "rlo": "evil\u202etxt.exe",
    "lro": "\u202dname",
    "rli": "\u2067name",
    "lri": "name\u2066",
    "pdi": "name\u2069",
    "rlm": "name\u200f",
    "zero-width-space": "na\u200bme",
    "bom": "\ufeffname",
    "line-separator": "a\u2028b",
    "lone-surrogate": "a\ud800b",
    "blank": "   ",
}
# What today already refuses (regression guards); every other kind is accepted today.
REFUSED_TODAY = {"lone-surrogate", "blank"}


def _kinds(kinds: list[str]) -> list[object]:
    return [
        pytest.param(
            kind,
            marks=[],  # issue 10.8: every kind is refused now (REFUSED_TODAY: before it)
        )
        for kind in kinds
    ]


@pytest.mark.parametrize("kind", _kinds(list(HOSTILE)))
def test_hostile_names_are_refused(kind: str) -> None:
    name = HOSTILE[kind]
    report = wfbench.validate(workflow([set_step(1)], name=name))
    assert not report.valid, f"{name!r} was accepted"
    assert any(i.severity == "error" for i in report.issues)


@pytest.mark.parametrize("kind", _kinds(["rlo", "nul", "escape", "lone-surrogate"]))
def test_hostile_names_refused_by_save(tmp_path: Path, kind: str) -> None:
    wb = Workbench(str(tmp_path / "s.duckdb"))
    wb.init()
    with pytest.raises(wfbench.WfbenchError):
        wb.save(workflow([set_step(1)], name=HOSTILE[kind]))
    assert wb.workflows().empty


def test_huge_name_is_refused() -> None:
    assert not wfbench.validate(workflow([set_step(1)], name="x" * 100_000)).valid


def test_names_differing_only_in_case_are_one_workflow(wb: Workbench) -> None:
    wb.save(workflow([set_step("v2")], name="VICTIM"))
    assert len(wb.workflows()) == 1
