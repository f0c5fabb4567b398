"""The notebook views driven through their widgets alone, as a person would click.

The first test is the whole journey of PRODUCT.md section 1 (steps 1–11); it
asserts on what the store holds afterwards. The others pin each view's
behaviour: the create dialog's checks, the canvas's edits, flags and Run As,
the run dialog's two inputs and live colours, history and navigation.
"""

from __future__ import annotations

import html
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from ipywidgets.widgets.widget import CallbackDispatcher
from pydantic import BaseModel

from wfbench.errors import RunRejected
from wfbench.widgets.canvas_view import Canvas
from wfbench.widgets.graph import TRIGGER
from wfbench.widgets.history_view import HistoryView
from wfbench.widgets.overview_view import Overview
from wfbench.workbench import Workbench

SAMPLES = Path(__file__).parent.parent / "wfbench" / "samples"


@pytest.fixture(autouse=True)
def clicks_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    """ipywidgets logs an exception in a click handler and goes on; a test must fail."""

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        value = None
        for callback in self.callbacks:
            result = callback(*args, **kwargs)
            value = result if result is not None else value
        return value

    monkeypatch.setattr(CallbackDispatcher, "__call__", call)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.duckdb"
    Workbench(path).init(demo=True)
    return path


@pytest.fixture
def wb(seeded: Path, tmp_path: Path) -> Workbench:
    target = tmp_path / "wfbench.duckdb"
    target.write_bytes(seeded.read_bytes())
    return Workbench(target)


def text(widget: Any) -> str:
    """What an HTML widget says, entities decoded."""
    return html.unescape(str(widget.value))


def wait_for(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# --------------------------------------------------------------------------- the journey


def test_the_whole_journey_through_the_widgets(wb: Workbench) -> None:
    # 1. the overview
    ov = wb.overview()
    assert isinstance(ov, Overview) and ov.page == "overview"
    assert set(ov.rows) == {"Offboard contractor", "Onboard new hire"}
    assert list(ov.frame.columns)[:5] == ["id", "name", "type", "enabled", "run_as"]

    # 2. Add → New Workflow: type, Next, name and description, Done
    ov.add_button.click()
    assert ov.add_menu.layout.display is None
    ov.new_workflow_button.click()
    dlg = ov.dialog
    assert dlg is not None and dlg.page == "type"
    assert dlg.type_select.value == "manual"
    assert all(b.disabled for b in dlg.unavailable)
    dlg.next_button.click()
    dlg.name_text.value = "OFFBOARD contractor"  # taken, ignoring case
    assert dlg.done_button.disabled and "already exists" in text(dlg.name_message)
    dlg.previous_button.click()
    assert dlg.page == "type"
    dlg.next_button.click()
    dlg.name_text.value = "Offboard intern"
    dlg.description_text.value = "Suspend an intern and tell their manager."
    assert not dlg.done_button.disabled and "free" in text(dlg.name_message)
    dlg.done_button.click()

    # 3. the canvas, name and type filled in; the name stays editable
    assert ov.page == "canvas"
    cv = ov.canvas
    assert isinstance(cv, Canvas)
    assert cv.name_text.value == "Offboard intern"
    assert "Manual" in cv.type_label.value
    assert cv.graph.node_ids() == [TRIGGER, "@end"]
    cv.name_text.value = "Offboard an intern"
    assert cv.draft["name"] == "Offboard an intern"

    # 4. the trigger card: a sample, a schema inferred from it, adjusted
    cv.select("trigger")
    card = cv.trigger_card
    assert card is not None
    card.sample_text.value = json.dumps({"email": "ada.lovelace@example.com", "notify": True})
    card.infer_button.click()
    notify = card.rows[1]
    notify.required_check.value = False
    notify.default_text.value = "true"
    schema = cv.draft["trigger"]["input_schema"]
    assert schema["required"] == ["email"]
    assert schema["properties"]["email"] == {"type": "string", "format": "email"}

    # 5. "+" after the trigger: an action chosen by category and type
    cv.add_button.click()
    panel = cv.add_panel
    assert panel is not None
    panel.category_select.value = "users"
    panel.action_select.value = "users.get"
    panel.id_text.value = "user"
    panel.confirm_button.click()
    assert cv.selected == "user"
    form = cv.form
    assert form is not None
    assert "input.email" in form.references()
    # a parameter an input field of the same name fills starts filled with it
    assert form.fields["with.email"].value() == "{{ input.email }}"
    form.fields["with.email"].typed.value = ""
    form.fields["with.email"].typeahead.pick("input.email")  # a pick from its type-ahead list
    # an if-else after it, a suspend inside its then branch
    cv.add_button.click()
    cv.add_panel.kind_select.value = "if_else"
    cv.add_panel.id_text.value = "is_contractor"
    cv.add_panel.confirm_button.click()
    cv.form.fields[
        "condition"
    ].typed.value = "{{ steps.user.output.employee_type == 'contractor' }}"
    cv.add_button.click()
    cv.add_panel.choose_action("users.suspend")
    cv.add_panel.place_select.value = ("then", "is_contractor")
    cv.add_panel.id_text.value = "suspend"
    cv.add_panel.confirm_button.click()
    cv.form.insert_reference("steps.user.output.id", into="user_id")
    # a loop after the suspend, an action in its body
    cv.add_loop(
        "{{ steps.user.output.groups }}",
        as_="group",
        max_iterations=50,
        after="suspend",
        node_id="each_group",
    )
    cv.add_action(
        "groups.remove_user",
        after="each_group",
        branch="body",
        node_id="leave",
        params={"group_id": "{{ group.id }}", "user_id": "{{ steps.user.output.id }}"},
    )
    # the empty else branch is a placeholder: clicking it offers "inside else"
    cv.select("is_contractor@else")
    assert cv.add_panel is not None
    assert cv.add_panel.place_select.value == ("else", "is_contractor")
    cv.add_panel.choose_action("core.fail")
    cv.add_panel.id_text.value = "stop"
    cv.add_panel.confirm_button.click()  # its required message is left empty for now
    steps = cv.draft["steps"]
    assert [s["id"] for s in steps] == ["user", "is_contractor"]
    assert [s["id"] for s in steps[1]["then"]] == ["suspend", "each_group"]
    assert steps[1]["then"][1]["steps"][0]["with"] == {
        "group_id": "{{ group.id }}",
        "user_id": "{{ steps.user.output.id }}",
    }
    assert cv.graph.data("leave")["parent"] == "each_group"

    # 6. Run As: narrowest named, too narrow refused, broader warned
    labels = dict((v, k) for k, v in cv.run_as_select.options)
    assert labels["manager"].startswith("manager (narrowest: covers ")
    assert cv.run_as_select.value == "read_only"
    assert "lacks" in text(cv.role_message)
    cv.run_as_select.value = "administrator"
    assert "grants more than the workflow needs" in text(cv.role_message)
    cv.narrowest_button.click()
    assert cv.draft["run_as"] == "manager"

    # 7. unsaved bar; Save refuses and flags every problem on its node
    assert cv.unsaved_bar.layout.display is None
    assert cv.save() is False
    assert "invalid" in cv.graph.classes("stop")
    assert "requires 'message'" in cv.graph.data("stop")["tooltip"]
    assert "core.fail requires 'message'" in text(cv.issues_html)
    assert wb.workflows.find("Offboard an intern") is None
    cv.select("stop")
    assert "requires" in text(cv.form.fields["with.message"].note)
    cv.form.set_field("message", "{{ input.email }} is not a contractor")
    assert "invalid" not in cv.graph.classes("stop")  # the flag goes as it is fixed
    assert cv.save() is True
    assert cv.unsaved_bar.layout.display == "none"
    # Discard goes back to the saved version
    cv.name_text.value = "Renamed"
    assert cv.unsaved_bar.layout.display is None
    cv.discard_button.click()
    assert cv.name_text.value == "Offboard an intern" and not cv.dirty

    # 8. saved means enabled; a disabled workflow cannot be run
    info = wb.workflows.info("Offboard an intern")
    assert info.enabled and info.version == 1 and info.run_as == "manager"
    cv.back_button.click()
    assert ov.page == "overview" and "Offboard an intern" in ov.rows
    ov.rows["Offboard an intern"].enabled_toggle.value = False
    assert not wb.workflows.info("Offboard an intern").enabled
    assert not ov.rows["Offboard an intern"].enabled_toggle.value  # table read again
    ov.rows["Offboard an intern"].enabled_toggle.value = True
    assert wb.workflows.info("Offboard an intern").enabled

    # 9. Run workflow: JSON prefilled from the sample, Run, colours as it goes
    ov.rows["Offboard an intern"].open_button.click()
    cv = ov.canvas
    cv.run_button.click()
    rd = cv.run_dialog
    assert rd is not None
    assert json.loads(rd.json_text.value) == {"email": "ada.lovelace@example.com", "notify": True}
    assert rd.form.fields["email"].typed.value == "ada.lovelace@example.com"
    rd.run_button.click()
    record = rd.wait()
    assert record is not None and record.status == "succeeded", record
    assert "status-succeeded" in cv.graph.classes("suspend")
    assert "status-succeeded" in cv.graph.classes("leave")
    assert "status-skipped" in cv.graph.classes("stop")
    # bad input: Run is disabled with every reason at the field, and no run is recorded
    rd.json_text.value = json.dumps({"email": 42, "extra": 1})
    assert "is not of type" in text(rd.problems) and "extra" in text(rd.problems)
    assert rd.run_button.disabled and rd.dry_run_button.disabled
    rd.run_button.click()
    assert rd.rejected is None and rd.handle is not None and rd.handle.done  # the first run's
    assert list(wb.runs("Offboard an intern")["status"]) == ["succeeded"]
    # the same input from code is refused and kept in history as rejected
    with pytest.raises(RunRejected) as refused:
        wb.run("Offboard an intern", {"email": 42, "extra": 1})
    assert {p for p, _ in refused.value.problems} == {"", "/email"}

    # 10. execution history: runs, one run's steps, its path
    cv.history_button.click()
    assert ov.page == "history"
    hv = ov.history
    assert isinstance(hv, HistoryView)
    assert list(hv.frame["status"]) == ["rejected", "succeeded"]
    ok_run = hv.frame.loc[hv.frame["status"] == "succeeded", "run_id"].iloc[0]
    hv.run_rows[ok_run].click()  # a run's row opens it
    assert hv.run_select.value == ok_run
    assert list(hv.steps_frame["node"])[:3] == ["user", "is_contractor", "suspend"]
    assert "status-succeeded" in hv.graph.classes("user")
    assert "status-skipped" in hv.graph.classes("stop")
    assert "groups.remove_user" in text(hv.steps_html)
    hv.graph.click("suspend")  # a node opens its step in the drawer
    assert hv.drawer_box.layout.display is None
    assert "Step suspend" in text(hv.drawer) and "parameters" in text(hv.drawer)
    assert "UTC" in text(hv.drawer)

    # 11. back to the overview, which shows the runs
    hv.back_button.click()
    assert ov.page == "overview"
    row = ov.frame.set_index("name").loc["Offboard an intern"]
    # the last real run, the refused start counted apart
    assert row["run_count"] == 1 and row["last_run_status"] == "succeeded"
    assert row["rejected_count"] == 1
    assert "(+1 refused)" in ov.rows["Offboard an intern"].cells[6].value

    # what the store holds
    runs = wb.runs("Offboard an intern")
    assert sorted(runs["status"]) == ["rejected", "succeeded"]
    assert runs.set_index("status").loc["succeeded", "input"] == {
        "email": "ada.lovelace@example.com",
        "notify": True,
    }
    saved = wb.get("Offboard an intern")
    assert saved.trigger.input_schema["properties"]["notify"]["default"] is True
    user = wb.sql("select status from users where email = 'ada.lovelace@example.com'")
    assert user["status"].iloc[0] == "suspended"


# --------------------------------------------------------------------------- create dialog


def test_create_dialog_requires_a_free_name(wb: Workbench) -> None:
    ov = wb.overview()
    ov.add_button.click()
    ov.new_workflow_button.click()
    dlg = ov.dialog
    assert dlg is not None
    dlg.done_button.click()  # still on the type page: nothing happens
    assert ov.page == "overview"
    dlg.next_button.click()
    assert dlg.done_button.disabled and "required" in text(dlg.name_message)
    dlg.name_text.value = "   onboard NEW hire "
    assert dlg.done_button.disabled
    dlg.name_text.value = "x" * 201
    assert "at most 200" in text(dlg.name_message)
    dlg.cancel_button.click()
    assert ov.dialog_area.children == ()
    cv = ov.new_workflow("Brand new", "described")
    assert cv.draft["description"] == "described" and cv.unsaved_label.value.count("Not saved")


# --------------------------------------------------------------------------- canvas


def test_canvas_edits_delete_move_and_rename(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    assert not cv.dirty and cv.unsaved_bar.layout.display == "none"
    cv.move("devices", -1)
    then = [s["id"] for s in cv.draft["steps"][1]["then"]]
    assert then.index("devices") < then.index("each_group")
    assert cv.dirty
    cv.up_button.click()
    assert cv.draft["steps"][1]["then"][0]["id"] == "devices"
    cv.up_button.click()  # first in its branch: it cannot go further
    assert "is already the first step here, so it cannot move up" in text(cv.message)
    cv.select("user")
    cv.form.id_text.value = "person"
    assert cv.selected == "person"
    assert "steps.person.output.id" in json.dumps(cv.draft)
    cv.form.id_text.value = "is_contractor"  # taken
    assert "taken" in text(cv.form.note) and cv.form.id_text.value == "person"
    cv.delete("each_group")
    assert "each_group" not in cv.graph.node_ids() and "leave" not in cv.graph.node_ids()
    assert cv.selected == "suspend"  # the step before it
    cv.discard()
    assert not cv.dirty and "each_group" in cv.graph.node_ids()
    assert cv.delete_button.disabled is False
    cv.select("trigger")
    assert cv.delete_button.disabled and cv.trigger_card is not None


def test_canvas_flags_problems_on_their_fields_and_lists_them(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    cv.select("user")
    cv.form.fields["with.email"].typed.value = "{{ input.mail }}"
    assert "invalid" not in cv.graph.classes("user")  # flags come with Save
    cv.save_button.click()
    assert "invalid" in cv.graph.classes("user")
    assert "input.mail is not in the input schema" in cv.graph.data("user")["tooltip"]
    cv.select("user")
    assert "input.mail" in text(cv.form.fields["with.email"].note)
    assert "input.mail" in text(cv.selection_label)
    assert "not saved" in text(cv.message)
    assert wb.workflows.info("Offboard contractor").version == 1


def test_new_draft_canvas_and_the_save_refusal_of_a_taken_name(wb: Workbench) -> None:
    cv = wb.canvas()
    assert cv.name.startswith("Untitled workflow")
    cv.name_text.value = "offboard CONTRACTOR"
    assert "already exists" in text(cv.name_message)
    assert cv.save() is False
    assert "not saved" in text(cv.message)
    cv.name_text.value = "Fresh"
    cv.add_action("core.log", after="trigger", params={"message": "hi"})
    assert cv.save() is True
    assert wb.workflows.info("Fresh").enabled
    cv.add_action("core.log", node_id="again", params={"message": "again"})
    assert cv.save() is True and wb.workflows.info("Fresh").version == 2
    cv.save_button.click()  # nothing changed: no new version
    assert "no changes" in text(cv.message) and wb.workflows.info("Fresh").version == 2
    cv.name_text.value = "Fresh and renamed"  # the same workflow, renamed
    assert cv.save() is True
    assert wb.workflows.info("Fresh and renamed").version == 3
    assert wb.workflows.find("Fresh") is None


def test_add_refuses_a_bad_or_taken_id(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    cv.select("user")
    cv.add_button.click()
    cv.add_panel.id_text.value = "Bad Id"
    cv.add_panel.confirm_button.click()
    assert "not a valid id" in text(cv.message)
    cv.add_panel.id_text.value = "suspend"
    cv.add_panel.confirm_button.click()
    assert "taken" in text(cv.message)
    assert not cv.dirty


# --------------------------------------------------------------------------- run dialog


def test_run_dialog_form_and_json_stay_in_sync(wb: Workbench) -> None:
    cv = wb.canvas("Onboard new hire")
    rd = cv.open_run_dialog()
    assert isinstance(rd.form.fields["department"].typed.options, tuple)
    rd.form.fields["department"].typed.value = "sales"
    assert json.loads(rd.json_text.value)["department"] == "sales"
    rd.json_text.value = json.dumps(
        {"first_name": "Ada", "last_name": "L", "email": "ada.l@example.com", "department": "hr"}
    )
    assert rd.form.fields["first_name"].typed.value == "Ada"
    assert rd.form.fields["department"].typed.value == "hr"
    assert "matches" in text(rd.problems)
    rd.form.fields["first_name"].typed.value = ""  # required: validated as the engine does
    assert "'first_name' is a required property" in text(rd.problems)
    rd.json_text.value = "{oops"
    assert "not valid JSON: at line 1, column 2, a field name in double quotes" in text(rd.problems)
    assert rd.run_button.disabled and rd.dry_run_button.disabled
    rd.run_button.click()
    assert rd.handle is None and rd.rejected is None  # not started


class _Nothing(BaseModel):
    pass


def test_run_is_in_the_background_and_colours_live(wb: Workbench) -> None:
    gate = threading.Event()  # the first step runs until the test lets it go

    def pause(params: _Nothing, ctx: Any) -> _Nothing:
        if not gate.wait(60):
            raise TimeoutError("the test never let the step go")
        return _Nothing()

    wb.action("test.pause", input=_Nothing, output=_Nothing, side_effects=False)(pause)
    doc = {
        "name": "Slow",
        "run_as": "read_only",
        "trigger": {"input_schema": {"type": "object", "properties": {}}, "sample_input": {}},
        "steps": [
            {"id": "pause", "kind": "action", "action": "test.pause", "with": {}},
            {"id": "done", "kind": "action", "action": "core.log", "with": {"message": "ok"}},
        ],
    }
    wb.save(doc)
    cv = wb.canvas("Slow")
    rd = cv.open_run_dialog()
    try:
        rd.run_button.click()
        assert rd.handle is not None and not rd.handle.done  # the click returned at once
        wait_for(lambda: "status-running" in cv.graph.classes("pause"))
        assert rd.run_button.disabled
    finally:
        gate.set()
    record = rd.wait()
    assert record is not None and record.status == "succeeded"
    assert "status-succeeded" in cv.graph.classes("pause")
    assert "status-succeeded" in cv.graph.classes("done")
    assert "succeeded" in text(rd.status) and not rd.run_button.disabled
    assert cv.graph.rebuilds == 1  # colours came by class, nothing was rebuilt


def test_dry_run_simulates_and_a_disabled_workflow_is_refused(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    rd = cv.open_run_dialog()
    rd.run(dry_run=True)
    record = rd.wait()
    assert record is not None and record.dry_run and record.status == "succeeded"
    assert "status-simulated" in cv.graph.classes("suspend")
    assert (
        wb.sql("select status from users where email = 'ada.lovelace@example.com'")["status"].iloc[
            0
        ]
        == "active"
    )
    wb.workflows.disable("Offboard contractor")
    rd.run()  # refused by the dialog itself: nothing recorded
    assert rd.rejected is None and "disabled" in text(rd.problems)
    assert list(wb.runs("Offboard contractor")["status"]) == ["succeeded"]


def test_running_needs_a_saved_workflow(wb: Workbench) -> None:
    cv = wb.canvas()
    cv.run_button.click()
    assert cv.run_dialog is None and "save the workflow" in text(cv.message)


# --------------------------------------------------------------------------- history


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
    assert "re-run refused" in text(hv.message)
    assert hv.run["status"] == "rejected"
    assert "is not of type" in text(hv.detail_html)
    runs = wb.runs("Offboard contractor")
    assert runs["status"].iloc[0] == "rejected" and len(runs) == 4


def test_views_opened_alone_go_back_to_the_overview(wb: Workbench) -> None:
    cv = wb.canvas("Offboard contractor")
    cv.back_button.click()
    shell = cv.shell
    assert shell is not None and shell.page == "overview"
    assert cv.widget.children == (shell.widget,)
    hv = wb.history("Offboard contractor")
    hv.canvas_button.click()
    assert hv.shell is not None and hv.shell.page == "canvas"
    hv.shell.canvas.history_button.click()
    assert hv.shell.page == "history"


def test_views_display_as_their_root_widget(wb: Workbench) -> None:
    ov = wb.overview()
    bundle = ov._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ov.widget.model_id
