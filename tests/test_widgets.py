"""wfbench.widgets: the views it opens, driven through their widgets alone, as a person would.

The first test is the whole journey of PRODUCT.md section 1 (steps 1–11); it asserts on
what the store holds afterwards. The others pin what the package itself promises: its
views find their way back to the overview, and importing it imports no widget library.
Each view's own behaviour is tested beside its module, in tests/widgets/.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
from typing import Any

import pytest
from ipywidgets.widgets.widget import CallbackDispatcher

from wfbench.errors import RunRejected
from wfbench.widgets.canvas_view import Canvas
from wfbench.widgets.graph import TRIGGER
from wfbench.widgets.history_view import HistoryView
from wfbench.widgets.overview_view import Overview
from wfbench.workbench import Workbench


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


def text(widget: Any) -> str:
    """What an HTML widget says, entities decoded."""
    return html.unescape(str(widget.value))


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


# --------------------------------------------------------------------------- canvas


# --------------------------------------------------------------------------- run dialog


# --------------------------------------------------------------------------- history


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


def test_import_wfbench_does_not_import_widget_libraries() -> None:
    code = (
        "import sys, wfbench, wfbench.workbench, wfbench.widgets, wfbench.widgets.graph\n"
        "bad = [m for m in ('ipywidgets', 'ipycytoscape') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
