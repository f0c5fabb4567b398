"""Issues 11 and 21 clicked in JupyterLab at 1,280 px: "Offboard user" built with the mouse.

Look the user up by email; if a contractor, suspend them and remove them from
each group; otherwise email their manager. Actions are found by typing part of
their name; references come from each field's type-ahead list (only what fits
the field, each with its sample value; one of them picked with the keyboard
alone), the lookup's email is filled from the trigger already, and the
condition comes from the condition builder. On the way, the three wrong
references of the issue are typed by hand and Save refuses each with a message
at its field; leaving with unsaved changes asks first; every panel is measured
(``scrollWidth <= clientWidth``: no horizontal scrollbar) on the canvas, the
run dialog, history and the overview. The clicks are counted (typing apart),
printed, written to ``builder-clicks.txt`` beside the screenshots, and held to
:data:`MOST_CLICKS`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from wfbench.widgets.graph import END, TRIGGER
from wfbench.workbench import Workbench

from .lab import (
    TYPEAHEAD,
    Console,
    Graph,
    LabServer,
    Notebook,
    Shots,
    Widgets,
    click_node,
    picked,
    wait_for_graph,
    wait_until,
)
from .test_journey import add_step, assert_page_clean, overview_rows, see

pytestmark = pytest.mark.e2e

NAME = "Offboard user"
WIDTH = 1280
#: Issue 21's target: "Offboard user" built and saved in at most this many clicks (the
#: clicks spent on the deliberately wrong references' detour apart). 75 before the
#: type-ahead (81 with the detour).
MOST_CLICKS = 35
NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": [
                "import wfbench\n",
                "wb = wfbench.Workbench()\n",
                "ov = wb.overview()\n",
                "ov",
            ],
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}

#: Every visible box of the output whose content is wider than the box (it would scroll).
OVERFLOW_JS = """
(root) => [...root.querySelectorAll('.widget-box, .widget-html-content, .jp-OutputArea-output')]
  .filter((el) => el.offsetParent !== null && el.getClientRects().length)
  .filter((el) => el.scrollWidth > el.clientWidth + 1)
  .map((el) => ({cls: el.className.slice(0, 80), scroll: el.scrollWidth, client: el.clientWidth,
                 text: (el.innerText || '').slice(0, 60)}))
"""


#: Where a compound node's label is drawn on the page: just above its box, centred.
LABEL_JS = """
(el, id) => {
  const bb = el._cyreg.cy.getElementById(id).renderedBoundingBox({includeLabels: false});
  const box = el.getBoundingClientRect();
  return [box.left + (bb.x1 + bb.x2) / 2, box.top + bb.y1 - 10];
}
"""


class Clicks:
    """Counts what a person does: clicks (and choices in a list) apart from typing."""

    def __init__(self) -> None:
        self.clicks = 0
        self.typed = 0
        self.detour = 0  # the clicks spent on the wrong-reference cases

    def click(self, n: int = 1) -> None:
        self.clicks += n


class Person(Widgets):
    """:class:`Widgets` that count every click, choice and text typed."""

    def __init__(self, scope: Locator, count: Clicks) -> None:
        super().__init__(scope)
        self.count = count

    def click(self, text: str) -> None:
        self.count.click()
        super().click(text)

    def choose(self, select: Locator, option: str) -> str:
        self.count.click()  # a list opened and an entry chosen: one pointing gesture each
        self.count.click()
        return super().choose(select, option)

    def type(self, target: Locator, text: str) -> None:
        self.count.typed += 1
        super().type(target, text)

    def node(self, node_id: str, *, label: bool = False) -> None:
        """Click a node (``label``: on its label, above a loop's box); wait for its form."""
        self.count.click()
        if label:
            container = self.scope.locator(".__________cytoscape_container").last
            container.scroll_into_view_if_needed()
            x, y = container.evaluate(LABEL_JS, node_id)
            self.page.mouse.click(x, y)
            wait_until(lambda: self.shows_form(node_id), f"the form of {node_id}")
        elif "@" in node_id:
            click_node(self.scope, node_id)
        else:
            what = f"the form of {node_id} after a click on it"
            click_node(self.scope, node_id, lambda: self.shows_form(node_id), what)

    def pick(self, box: Locator, typed: str, value: str) -> None:
        """The type-ahead: type a few letters (one text), click the entry (one click)."""
        self.count.typed += 1
        self.count.click()
        super().pick(box, typed, value)

    def keys(self, box: Locator, typed: str, value: str) -> None:
        """The type-ahead with the keyboard alone: type, then Enter picks the first entry."""
        self.count.typed += 1
        box.fill(typed)
        item = box.page.locator(f"{TYPEAHEAD}.wfb-ta-active")
        expect(item).to_have_attribute("data-value", value)
        box.press("Enter")
        wait_until(lambda: picked(box.input_value(), value), f"{value!r} picked by Enter")


def flagged(g: Graph) -> set[str]:
    """The nodes flagged invalid."""
    return {n for n in g.nodes if g.has_class(n, "invalid")}


def has_value(field: Locator, value: str) -> None:
    expect(field).to_have_value(value)


def overflowing(scope: Locator) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = scope.evaluate(OVERFLOW_JS)
    return found


def measure(scope: Locator, where: str, widths: dict[str, int]) -> None:
    """No panel of ``scope`` scrolls sideways once the page has settled (a panel being
    laid out can be wider for a moment); record the widest overflow left (0 = none)."""
    found: list[dict[str, Any]] = []

    def settled() -> bool:
        found[:] = overflowing(scope)
        return not found

    try:
        wait_until(settled, f"{where}: no panel wider than its box at {WIDTH} px")
    finally:
        widths[where] = max((f["scroll"] - f["client"] for f in found), default=0)
    assert not found, f"{where}: panels wider than their box at {WIDTH} px: {found[:6]}"


def note(ui: Person, field: str) -> Locator:
    """The box of a form field and the message under it (wfbench's forms put it right
    after the field's row)."""
    label = ui.page.locator("b", has_text=re.compile(rf"^{re.escape(field)}( \*)?$"))
    return ui.scope.locator(".widget-vbox").filter(has=label).last


def test_offboard_user_built_with_the_mouse(
    lab: LabServer, page: Page, console: Console, screenshots: Shots
) -> None:
    wb = Workbench(lab.db)
    contractor = str(
        wb.sql(
            "select email from users u where employee_type = 'contractor' and status = 'active' "
            "and exists (select 1 from memberships m where m.user_id = u.id) "
            "order by email limit 1"
        )["email"].iloc[0]
    )
    (Path(lab.root) / "builder.ipynb").write_text(json.dumps(NOTEBOOK))
    page.set_viewport_size({"width": WIDTH, "height": 1600})
    count = Clicks()
    widths: dict[str, int] = {}
    nb = Notebook(page, lab, "builder.ipynb")
    nb.open()
    nb.run_all()
    nb.wait_for_all_cells()
    shell = nb.view("ov = wb.overview()")  # JupyterLab opens it in its own tab
    ui = Person(shell, count)
    see(ui, "Offboard contractor", "the overview")
    measure(shell, "overview", widths)

    # ---- create it
    ui.click("Add")
    ui.click("New Workflow")
    ui.click("Next")
    ui.type(ui.labelled("Name *"), NAME)
    see(ui, "name is free")
    ui.click("Done")
    wait_for_graph(shell, lambda g: g.drawn and END in g.nodes, "the new canvas")
    see(ui, "Manual trigger")  # the trigger card's panel is open

    # ---- the trigger: a sample, its schema inferred (a field the sample has is required)
    ui.type(
        shell.get_by_placeholder('{"email": "ada@example.com"}'), json.dumps({"email": contractor})
    )
    ui.click("Infer schema from sample")
    see(ui, "inferred 1 field(s)")
    expect(shell.locator("input[type=checkbox]").filter(visible=True).first).to_be_checked()
    wait_for_graph(shell, lambda g: "1 input field" in g.nodes[TRIGGER]["label"], "trigger")
    measure(shell, "canvas: trigger card", widths)

    # ---- look the user up: the email is filled from the trigger's field of that name
    ui.click("+")
    add_step(ui, "user", action=("users", "get"))
    wait_for_graph(shell, lambda g: "user" in g.nodes, "the lookup")
    has_value(ui.field("email"), "{{ input.email }}")
    measure(shell, "canvas: action form with the type-ahead", widths)

    # ---- if-else (the new node is selected: + adds after it), the first wrong reference typed
    ui.click("+")
    add_step(ui, "is_contractor", kind="If-else")
    wait_for_graph(shell, lambda g: "is_contractor" in g.nodes, "the if-else")
    see(ui, "Condition builder")
    ui.type(ui.field("condition"), "{{ true }} {{ steps.user.output.employee_type }}")
    see(ui, "written by hand")

    # ---- then: suspend, and a loop over the groups (the second wrong reference typed)
    ui.node("is_contractor@then")  # the empty branch's "+ then"
    add_step(ui, "suspend", action=("users", "suspend"))
    wait_for_graph(shell, lambda g: "suspend" in g.nodes, "suspend")
    user_id = ui.field("user_id")
    user_id.fill("id")  # the list, filtered to what fits text and has "id", with samples
    listed = page.locator(TYPEAHEAD)
    expect(listed.first).to_be_visible()
    shown = {li.get_attribute("data-value"): li.inner_text() for li in listed.all()}
    assert "steps.user.output.id" in shown and "steps.user.output.groups" not in shown, shown
    screenshots.take("builder-00-type-ahead", shell)
    ui.pick(user_id, "id", "steps.user.output.id")
    ui.click("+")
    add_step(ui, "each_group", kind="Loop")
    wait_for_graph(shell, lambda g: "each_group" in g.nodes, "the loop")
    ui.type(ui.field("items"), "{{ [] }} {{ steps.user.output.groups }}")
    ui.type(ui.field("as (variable)"), "group")
    ui.node("each_group@steps")
    add_step(ui, "leave", action=("groups", "remove_user"))
    wait_for_graph(shell, lambda g: "leave" in g.nodes, "the loop body")
    ui.type(ui.field("group_id"), "{{ group }}")  # the third: an object into text
    ui.pick(ui.field("user_id"), "user id", "steps.user.output.id")

    # ---- else: email the manager (the reference picked with the keyboard alone)
    ui.node("is_contractor@else")
    add_step(ui, "tell_manager", action=("notify", "email"))
    wait_for_graph(shell, lambda g: "tell_manager" in g.nodes, "the email")
    ui.keys(ui.field("to"), "{{ manager", "steps.user.output.manager_email")
    ui.type(ui.field("subject"), "Offboarding")
    ui.type(ui.field("body"), "{{ input.email }} is leaving")
    ui.click("Use narrowest")
    see(ui, "'manager' is the narrowest role that covers every action")

    # ---- Save: the wrong condition and items refused, each at its field
    ui.click("Save changes")
    count.detour += 1  # a Save that is refused
    see(ui, "not saved: 2 problem(s)")
    both = {"is_contractor", "each_group"}
    wait_for_graph(shell, lambda g: flagged(g) == both, "those two, and only they, flagged")
    screenshots.take("builder-01-refused", shell)
    ui.node("is_contractor")
    count.detour += 1  # back to the flagged node
    see(ui, "so it is always true")
    expect(note(ui, "condition")).to_contain_text("always true")
    # fixed with the builder: start over, choose the field, type the value
    ui.click("Start over in the builder")
    count.detour += 1
    builder = shell.locator(".widget-vbox").filter(has_text="Condition builder").last
    ui.choose(builder.locator("select").first, r"^steps\.user\.output\.employee_type ")
    ui.type(builder.locator("input[type=text]").first, "contractor")
    has_value(ui.field("condition"), "{{ steps.user.output.employee_type == 'contractor' }}")
    measure(shell, "canvas: if-else with the condition builder", widths)
    ui.node("each_group", label=True)  # the loop's label selects the loop, not its body
    count.detour += 1
    expect(note(ui, "items")).to_contain_text("not a list")
    ui.pick(ui.field("items"), "groups", "steps.user.output.groups")  # only lists offered
    has_value(ui.field("items"), "{{ steps.user.output.groups }}")  # the whole value replaced
    # now that group is a typed item, the object typed into group_id is refused at its field
    ui.click("Save changes")
    see(ui, "not saved: 1 problem(s)")
    ui.node("leave")
    count.detour += 2
    expect(note(ui, "group_id")).to_contain_text("takes text, but this gives an object")
    screenshots.take("builder-02-object-refused", shell)
    ui.pick(ui.field("group_id"), "{{ group.", "group.id")  # the expression completed
    has_value(ui.field("group_id"), "{{ group.id }}")
    ui.click("Save changes")
    see(ui, f"saved '{NAME}' as version 1 (enabled)")
    build_clicks, typed = count.clicks, count.typed
    screenshots.take("builder-03-saved", shell)
    saved = wb.get(NAME)
    assert [s.id for s in saved.steps] == ["user", "is_contractor"]
    assert saved.run_as == "manager"

    # ---- leaving with unsaved changes asks
    ui.node("user")
    ui.type(ui.labelled("description"), "look them up")
    see(ui, "Unsaved changes")
    ui.click("Back to workflows")
    prompt = Person(shell.locator(".wfb-prompt"), count)
    see(prompt, "has unsaved changes")
    screenshots.take("builder-04-leave-prompt", shell)
    prompt.click("Stay")
    prompt.scope.wait_for(state="hidden")
    ui.click("Back to workflows")
    prompt.click("Save")
    wait_until(lambda: NAME in overview_rows(shell), "the overview, after saving on the way out")
    assert wb.get(NAME).steps[0].description == "look them up"

    # ---- run it, then its history
    shell.get_by_role("button", name=NAME, exact=True).click()
    wait_for_graph(shell, lambda g: "leave" in g.nodes, "the canvas again")
    ui.click("Run workflow")
    dialog = shell.locator(".widget-vbox").filter(has_text="Run workflow:").last
    see(Widgets(dialog), "Close")
    measure(shell, "canvas: run dialog", widths)
    Widgets(dialog).click("Run")
    wait_until(lambda: re.search(r"(succeeded|failed) run", dialog.inner_text()), "the run")
    assert "succeeded run" in dialog.inner_text()
    run_id = str(wb.runs(NAME)["run_id"].iloc[0])

    # ---- the type-ahead lists now show that run's values (and the trigger's sample)
    ui.node("leave")
    box = ui.field("user_id")
    box.focus()  # a field holding one reference: its list opens, to replace it
    listed = page.locator(TYPEAHEAD)
    user = wb.runs.get(run_id)["steps"][0]["output"]
    expect(listed.filter(has_text="steps.user.output.id")).to_contain_text(json.dumps(user["id"]))
    expect(listed.filter(has_text="input.email")).to_contain_text(json.dumps(contractor))
    screenshots.take("builder-04b-samples-from-the-run", shell)
    box.press("Escape")
    expect(listed.first).to_be_hidden()

    ui.click("Execution history")
    see(ui, f"Execution history: {NAME} (1 run(s))")
    shell.get_by_role("button", name=re.compile(re.escape(run_id[:8]))).click()
    see(ui, "groups.remove_user")
    click_node(shell, "leave", lambda: "Step leave" in ui.text(), "the step drawer of leave")
    measure(shell, "history with the step drawer", widths)
    screenshots.take("builder-05-history", shell)
    ui.click("Back to workflows")
    wait_until(lambda: NAME in overview_rows(shell), "the overview")
    measure(shell, "overview after the run", widths)

    console.add_kernel_log(nb.kernel_log())
    assert_page_clean(nb, console)
    clean = build_clicks - count.detour
    summary = (
        f"'{NAME}' built and saved with the mouse: {build_clicks} clicks and {typed} texts "
        f"typed (3 of them the wrong references); {clean} clicks without "
        f"the {count.detour} spent on the refused Saves and revisiting the flagged nodes "
        f"(at most {MOST_CLICKS}); "
        f"widest sideways overflow at {WIDTH} px: {widths}"
    )
    print(summary)
    (screenshots.folder / "builder-clicks.txt").write_text(summary + "\n")
    assert clean <= MOST_CLICKS, summary
