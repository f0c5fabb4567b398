"""wfbench.widgets.history_view: a workflow's runs, each run's steps, re-runs."""

from __future__ import annotations

import json

from wfbench.widgets.history_view import HistoryView
from wfbench.workbench import Workbench

from .support import unescaped


def test_history_shows_runs_and_reruns_with_same_or_edited_input(wb: Workbench) -> None:
    wb.run("Offboard contractor", {"email": "ada.lovelace@example.com"}, dry_run=True)
    hv = wb.history("Offboard contractor")
    assert isinstance(hv, HistoryView)
    assert len(hv.frame) == 1 and hv.run_select.value == hv.frame["run_id"].iloc[0]
    assert "(dry run)" in next(iter(hv.run_rows.values())).description
    assert "UTC" in next(iter(hv.run_rows.values())).description
    first = hv.run_select.value
    hv.rerun_button.click()
    record = hv.wait()
    assert record is not None and record.rerun_of == first and record.dry_run
    assert len(hv.frame) == 2 and hv.run_select.value == record.run_id
    hv.input_text.value = json.dumps({"email": "rafael.jensen@example.com"})
    hv.rerun_edited_button.click()
    record = hv.wait()
    assert record is not None and record.input["email"] == "rafael.jensen@example.com"
    assert "status-succeeded" in hv.graph.classes("refuse") or record.status == "failed"
    hv.input_text.value = json.dumps({"email": 3})
    hv.rerun_edited_button.click()
    assert "re-run refused" in unescaped(hv.message)
    assert hv.run["status"] == "rejected"
    assert "is not of type" in unescaped(hv.detail_html)
    runs = wb.runs("Offboard contractor")
    assert runs["status"].iloc[0] == "rejected" and len(runs) == 4
