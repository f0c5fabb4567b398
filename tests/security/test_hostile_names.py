"""Issue 10.8: names and ids are separate look-ups; names cannot hide or reorder text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wfbench.cli import main
from wfbench.errors import DefinitionError
from wfbench.validation import validate
from wfbench.workbench import Workbench


def doc(name: str, message: str = "hi") -> dict[str, Any]:
    return {
        "format": "wfbench/v1",
        "name": name,
        "type": "manual",
        "run_as": "read_only",
        "steps": [
            {"id": "hello", "kind": "action", "action": "core.log", "with": {"message": message}}
        ],
    }


def test_a_name_equal_to_another_workflows_id_never_replaces_it(tmp_path: Path) -> None:
    """Issue 10.8: `wfbench import` of a file named as another workflow's id replaced it.

    Ids here are injected without the id shape, so only the separate look-ups protect."""
    db = tmp_path / "store.duckdb"
    ids = iter(f"custom-{n}" for n in range(100))
    wb = Workbench(db)
    wb._store._ids = lambda prefix: next(ids)
    wb.init()
    victim = wb.save(doc("Offboard contractor", "original"))
    wb.close()
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(doc(victim.id, "replaced")))
    assert main(["--db", str(db), "import", str(hostile)]) == 0
    wb = Workbench(db)
    kept = wb.workflows.info(victim.id)
    assert kept.name == "Offboard contractor" and kept.version == 1
    assert "original" in wb.workflows.export(victim.id)
    newcomer = wb.workflows.find(victim.id)  # an id look-up finds the id's workflow first
    assert newcomer is not None and newcomer.id == victim.id
    assert sorted(wb.workflows()["name"]) == sorted(["Offboard contractor", victim.id])
    assert not wb.workflows.name_free(victim.id) and wb.workflows.name_free("Something else")
    # The façade's save, by name, the same way.
    wb.save(doc(victim.id, "again"))
    assert wb.workflows.info(victim.id).version == 1
    wb.close()


@pytest.mark.parametrize(
    "name",
    [
        "evil\u202etxt.exe",
        "a\u2066b\u2069",
        "nul\x00name",
        "line\nbreak",
        "tab\there",
        "esc\x1b[31mred",
        "c1\x85",
        "sep\u2028x",
        "rlm\u200f",
    ],
)
def test_names_with_control_or_bidi_characters_are_refused(name: str) -> None:
    report = validate(doc(name))
    codes = [i.code for i in report.issues]
    assert "name.invalid" in codes, codes
    issue = next(i for i in report.issues if i.code == "name.invalid")
    assert issue.field == "name" and "U+" in issue.message
    with pytest.raises(DefinitionError):
        report.raise_for_errors(source="x")


def test_ordinary_unicode_names_are_fine() -> None:
    for name in ["Offboard contractor", "Départ — équipe 😀", "אבג שלום", "名前"]:
        assert [i.code for i in validate(doc(name)).issues if i.severity == "error"] == []


def test_a_name_with_the_shape_of_an_id_is_refused() -> None:
    report = validate(doc("wf_0123456789"))
    assert [i.code for i in report.issues if i.severity == "error"] == ["name.invalid"]
    assert "workflow id" in report.issues[0].message
    assert not [i for i in validate(doc("wf_ offboarding")).issues if i.severity == "error"]
