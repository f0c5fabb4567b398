"""wfbench.widgets.condition_builder: an if-else's condition as rows of tests, read back."""

from __future__ import annotations

from wfbench.widgets.forms import IfElseForm
from wfbench.workbench import Workbench

from .support import started_canvas, text


def test_the_condition_builder_writes_and_reads_back(wb: Workbench) -> None:
    cv = started_canvas(wb)
    cv.add_if_else("{{ true }}", after="user", node_id="is_contractor")
    form = cv.form
    assert isinstance(form, IfElseForm)
    builder = form.builder
    assert builder.readable and len(builder.rows) == 1  # the placeholder opens as one empty test
    fields = [v for _, v in builder.rows[0].field.options]
    assert "steps.user.output.employee_type" in fields
    assert "steps.user.output" not in fields  # a whole object is not a test
    builder.set_row(0, "steps.user.output.employee_type", "equals", "contractor")
    condition = "{{ steps.user.output.employee_type == 'contractor' }}"
    assert cv.draft["steps"][1]["condition"] == condition
    builder.set_row(1, "steps.user.output.department", "in", "Sales, Legal")
    builder.join.value = "any"
    assert cv.draft["steps"][1]["condition"] == (
        "{{ steps.user.output.employee_type == 'contractor' or "
        "steps.user.output.department in ['Sales', 'Legal'] }}"
    )
    builder.rows[1].remove_button.click()
    assert cv.draft["steps"][1]["condition"] == condition
    cv.select("user")
    cv.select("is_contractor")  # reopened: the expression opens in the builder again
    again = cv.form
    assert isinstance(again, IfElseForm)
    row = again.builder.rows[0]
    assert (row.field.value, row.op.value, row.value.value) == (
        "steps.user.output.employee_type",
        "equals",
        "contractor",
    )


def test_a_hand_written_condition_it_cannot_read_stays(wb: Workbench) -> None:
    cv = started_canvas(wb)
    cv.add_if_else("{{ not steps.user.output.mfa_enrolled }}", after="user", node_id="b")
    form = cv.form
    assert isinstance(form, IfElseForm)
    assert not form.builder.readable and "written by hand" in text(form.builder.note)
    assert cv.draft["steps"][1]["condition"] == "{{ not steps.user.output.mfa_enrolled }}"
    form.builder.start_button.click()
    form.builder.set_row(0, "steps.user.output.mfa_enrolled", "equals", "false")
    assert cv.draft["steps"][1]["condition"] == "{{ steps.user.output.mfa_enrolled == false }}"
