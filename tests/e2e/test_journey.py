"""The journey of PRODUCT.md section 1, clicked in JupyterLab by Chromium.

The quickstart notebook is opened and run (Run All, from the menu bar); the
views it displays open in their own JupyterLab tabs; then, in the overview's
tab, a person's clicks build, save, run and study a new
workflow: Add → New Workflow → Manual → Next → name and description → Done;
on the canvas the trigger's sample input and schema, an action added with +
and its form filled, an if-else, a loop with an action in its body, Run As;
the unsaved bar; a Save refused with the faulty node flagged; the fix and the
Save; a run with typed input JSON and the nodes in their status colours;
execution history and that run's steps; back to the overview, where the
workflow is listed with its run.

Every stage is checked on what a person sees (texts, a graph of the right
size with the right nodes in the right colours, no widget error, no console
error) and leaves a screenshot.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import Locator, Page, expect

from wfbench.widgets.cytoscape import STYLE
from wfbench.widgets.graph import END, TRIGGER, node_statuses
from wfbench.workbench import Workbench

from .lab import (
    Console,
    Graph,
    LabServer,
    Notebook,
    Shots,
    Timings,
    Widgets,
    click_node,
    rgb,
    wait_for_graph,
    wait_until,
)

pytestmark = pytest.mark.e2e

NAME = "Browser offboarding"
DESCRIPTION = "Look a person up; if a contractor, take them out of every group."
OVERVIEW_CELL = "ov = wb.overview()"  # the quickstart cell whose output is the shell
CANVAS_CELL = re.compile(r"^\s*cv\s*$")  # the quickstart cell that shows its canvas again


def colour(selector: str, prop: str = "background-color") -> str:
    """A colour of the graph's stylesheet, as cytoscape reports it."""
    for rule in STYLE:
        if rule["selector"] == selector and prop in rule["style"]:
            return rgb(str(rule["style"][prop]))
    raise KeyError(f"{selector} has no {prop}")


def see(ui: Widgets, text: str, what: str = "") -> None:
    """Wait until the output shows ``text``."""
    wait_until(lambda: text in ui.text(), what or f"the output to show {text!r}")


def overview_rows(shell: Locator) -> dict[str, list[str]]:
    """The overview table as a person reads it: name -> the row's cells."""
    grid = shell.locator(".widget-gridbox").filter(visible=True).first
    cells: list[str] = grid.evaluate("(g) => [...g.children].map((c) => c.innerText.trim())")
    rows = [cells[i : i + 8] for i in range(8, len(cells), 8)]  # 8 columns, a header row
    return {row[0]: row for row in rows}


def add_step(
    ui: Widgets,
    node_id: str,
    *,
    kind: str = "Action",
    action: tuple[str, str] | None = None,
    where: str | None = None,
) -> None:
    """In the open *Add a step* panel: the kind (or an action, found by typing its name in
    *find action* and picked from the list), the place, the id, Add.

    Each choice makes the kernel suggest an id; the suggestion is awaited before
    the id is typed over it, as a person would see it before replacing it.
    """
    see(ui, "Add a step")
    if action is None:
        ui.click(kind)
        suggested = {"If-else": "if_else", "Loop": "loop"}[kind]
    else:
        category, name = action
        ui.pick(ui.labelled("find action"), f"{category}.{name}", f"{category}.{name}")
        suggested = f"{category}_{name}"
    box = ui.labelled("id")
    wait_until(lambda: box.input_value().startswith(suggested), f"the id suggestion {suggested}")
    if where is not None:
        ui.choose(ui.labelled("where"), where)
    ui.type(box, node_id)
    ui.click("Add")


def assert_graph_shown(g: Graph, nodes: set[str]) -> None:
    """The graph has a size on the page, the expected nodes, and every one inside its box."""
    assert g.width > 0 and g.height > 0, f"the graph has no size on the page: {g.width}x{g.height}"
    assert set(g.nodes) == nodes, f"graph nodes {sorted(g.nodes)} != expected {sorted(nodes)}"
    assert not g.outside(), (
        f"nodes {g.outside()} lie outside the {g.width:.0f}x{g.height:.0f} px graph: not seen"
    )


def assert_page_clean(nb: Notebook, console: Console) -> None:
    assert not nb.errors(), f"the notebook shows errors: {nb.errors()}"
    assert not console.problems(), "console errors:\n" + "\n".join(console.problems())


def test_quickstart_journey_clicked(
    lab: LabServer, page: Page, console: Console, screenshots: Shots, timings: Timings
) -> None:
    # someone to offboard: a contractor the quickstart does not suspend itself
    people = Workbench(lab.db).sql(
        "select email from users where employee_type = 'contractor' and status = 'active' "
        "order by email desc limit 1"
    )
    email = str(people["email"].iloc[0])

    # ---- open the quickstart and run its cells
    nb = Notebook(page, lab, "quickstart.ipynb")
    opened = time.monotonic()
    nb.open()
    timings.record("quickstart: open -> notebook and kernel ready", time.monotonic() - opened)
    nb.run_all()
    nb.wait_for_all_cells()
    timings.record(
        "quickstart: open -> all cells run",
        time.monotonic() - opened,
        "Run All from the menu bar",
    )
    # in JupyterLab each view the quickstart displays opens in its own tab
    canvas_cell = nb.view(CANVAS_CELL)
    wait_for_graph(canvas_cell, lambda g: g.drawn, "the quickstart's canvas drawn in its tab")
    timings.record("quickstart: open -> canvas drawn in its tab", time.monotonic() - opened)
    screenshots.take("journey-00-quickstart-run", page)
    assert_page_clean(nb, console)
    # the quickstart's own canvas, built by its cells: drawn, every node in view
    g = wait_for_graph(
        canvas_cell,
        lambda g: len(g.nodes) > 2 and g.drawn and not g.outside(),
        "the quickstart's canvas with every node in view",
    )
    screenshots.take("journey-00-quickstart-canvas", canvas_cell)

    shell = nb.view(OVERVIEW_CELL)  # the overview's own tab
    ui = Widgets(shell)

    # ---- 1. the overview
    see(ui, "Offboard intern", "the quickstart's workflow in the overview")
    rows = overview_rows(shell)
    assert {"Offboard contractor", "Onboard new hire", "Offboard intern"} <= set(rows)
    assert NAME not in rows
    screenshots.take("journey-01-overview", shell)

    # ---- 2. Add -> New Workflow -> Manual -> Next -> name, description -> Done
    ui.click("Add")
    ui.click("New Workflow")
    see(ui, "Create Workflow")
    manual = shell.get_by_role("radio", name=re.compile("^Manual"))
    expect(manual).to_be_checked()
    expect(ui.button("Scheduled (not available)")).to_be_disabled()
    screenshots.take("journey-02-create-type", shell)
    ui.click("Next")
    name = ui.labelled("Name *")
    ui.type(name, "offboard INTERN")  # taken, ignoring case
    see(ui, "already exists")
    expect(ui.button("Done")).to_be_disabled()
    ui.type(name, NAME)
    ui.type(ui.labelled("Description"), DESCRIPTION)
    see(ui, "name is free")
    screenshots.take("journey-03-create-details", shell)
    done = time.monotonic()
    ui.click("Done")

    # ---- 3. the canvas: trigger card and end, name and type filled in
    g = wait_for_graph(shell, lambda g: g.drawn and END in g.nodes, "the new canvas")
    timings.record("canvas: Done -> graph drawn", time.monotonic() - done)
    assert_graph_shown(g, {TRIGGER, END})
    expect(shell.locator("input[type=text]").filter(visible=True).first).to_have_value(NAME)
    see(ui, "Type: Manual")
    see(ui, "Not saved yet")
    end_panel = "the End node's panel after a click on it"  # a real click on the canvas
    click_node(shell, END, lambda: "The end of the workflow." in ui.text(), end_panel)
    timings.record(
        "canvas: Done -> interactive",
        time.monotonic() - done,
        "until a mouse click on a node has opened its panel",
    )
    screenshots.take("journey-04-canvas-new", shell)

    # ---- 4. the manual trigger card: sample input, inferred schema, required
    sample = shell.get_by_placeholder('{"email": "ada@example.com"}').filter(visible=True)
    click_node(shell, TRIGGER, lambda: sample.count(), "the trigger card's panel")
    see(ui, "Manual trigger")
    ui.type(sample, json.dumps({"email": email}))
    ui.click("Infer schema from sample")
    see(ui, "inferred 1 field(s)")
    shell.locator("input[type=checkbox]").filter(visible=True).first.check()  # required
    wait_until(
        lambda: '"required"' in shell.locator("textarea").filter(visible=True).last.input_value(),
        "the schema to require email",
    )
    wait_for_graph(shell, lambda g: "1 input field" in g.nodes[TRIGGER]["label"], "trigger label")

    # ---- 5. + an action, fill its form; an if-else; a loop; an action in its body
    ui.click("+")
    add_step(ui, "user", action=("users", "get"))
    wait_for_graph(shell, lambda g: "user" in g.nodes, "the users.get node")
    see(ui, "Look up")  # its form, generated from the action's input model
    ui.type(ui.labelled("description"), "who is leaving")
    ui.type(ui.field("email"), "{{ input.email }}")

    click_node(shell, "user", lambda: ui.shows_form("user"), "the form of user")
    ui.click("+")
    add_step(ui, "is_contractor", kind="If-else")
    wait_for_graph(shell, lambda g: "is_contractor" in g.nodes, "the if-else node")
    ui.type(ui.field("condition"), "{{ steps.user.output.employee_type == 'contractor' }}")
    wait_for_graph(shell, lambda g: "user.employee_type" in g.nodes["is_contractor"]["label"], "if")

    click_node(shell, "is_contractor", lambda: ui.shows_form("is_contractor"), "its form")
    ui.click("+")
    add_step(ui, "each_group", kind="Loop", where="inside then of is_contractor")
    wait_for_graph(shell, lambda g: "each_group" in g.nodes, "the loop node")
    ui.type(ui.field("items"), "{{ steps.user.output.groups }}")
    ui.type(ui.field("as (variable)"), "group")
    ui.type(ui.field("max_iterations"), "100")
    wait_for_graph(shell, lambda g: "for each group" in g.nodes["each_group"]["label"], "loop")

    where = ui.labelled("where")
    click_node(  # the empty body's "+ body" placeholder
        shell,
        "each_group@steps",
        lambda: where.count() and "loop body of each_group" in where.input_value(),
        "the add panel on the body",
    )
    add_step(ui, "leave", action=("groups", "remove_user"))
    wait_for_graph(shell, lambda g: "leave" in g.nodes, "the loop body's action")
    ui.type(ui.field("group_id"), "{{ group.id }}")  # user_id forgotten: the mistake

    # ---- 6. Run As: the narrowest role is named, a broader one warned about
    run_as = ui.labelled("Run As")
    ui.choose(run_as, "^administrator$")
    see(ui, "⚠")
    chosen = ui.choose(run_as, r"\(narrowest: covers ")
    assert chosen.startswith("manager"), chosen
    see(ui, "'manager' is the narrowest role that covers every action")

    # ---- 7. the unsaved bar; Save with a mistake: refused, the node flagged
    expected = {TRIGGER, END, "user", "is_contractor", "is_contractor@else", "each_group"}
    expected |= {"leave"}
    g = wait_for_graph(
        shell,
        lambda g: set(g.nodes) == expected and g.drawn and not g.outside(),
        "the built graph, every node in view",
    )
    assert_graph_shown(g, expected)
    expect(ui.button("Save changes")).to_be_visible()
    see(ui, "Not saved yet")
    screenshots.take("journey-05-canvas-built-unsaved", shell)
    ui.click("Save changes")
    see(ui, "not saved: 1 problem(s)")
    g = wait_for_graph(shell, lambda g: g.has_class("leave", "invalid"), "leave flagged")
    assert g.background("leave") == colour("node.invalid")
    flagged = {n for n in g.nodes if g.has_class(n, "invalid")}
    assert flagged == {"leave"}, flagged
    see(ui, "user_id", "the problem named on its field")
    screenshots.take("journey-06-save-refused-flagged", shell)

    # ---- fix it and save
    click_node(shell, "leave", lambda: ui.shows_form("leave"), "the form of leave")
    ui.type(ui.field("user_id"), "{{ steps.user.output.id }}")
    wait_for_graph(shell, lambda g: not g.has_class("leave", "invalid"), "the flag to clear")
    ui.click("Save changes")
    see(ui, f"saved '{NAME}' as version 1 (enabled)")
    wait_until(lambda: not ui.button("Save changes").count(), "the unsaved bar to go")
    screenshots.take("journey-07-saved", shell)

    # ---- 9. run it with input JSON; the nodes take their colours
    ui.click("Run workflow")
    see(ui, f"Run workflow: {NAME} (version 1)")
    dialog = Widgets(shell.locator(".widget-vbox").filter(has_text="Run workflow:").last)
    ui.type(dialog.scope.locator("textarea").first, json.dumps({"email": email}, indent=2))
    see(dialog, "the input matches the input schema")
    dialog.click("Run")
    wait_until(lambda: re.search(r"(succeeded|failed) run", dialog.text()), "the run to end")
    assert "succeeded run" in dialog.text(), dialog.text()

    wb = Workbench(lab.db)
    runs = wb.runs(NAME)
    assert len(runs) == 1 and runs["status"].iloc[0] == "succeeded"
    run_id = str(runs["run_id"].iloc[0])
    statuses = node_statuses(wb.runs.get(run_id)["steps"])
    assert {"user", "is_contractor", "each_group", "leave"} <= set(statuses), statuses

    def coloured(g: Graph) -> bool:
        return all(g.background(n) == colour(f"node.status-{s}") for n, s in statuses.items())

    g = wait_for_graph(shell, coloured, f"the nodes in their run colours {statuses}")
    plain = colour("node")
    assert g.background("is_contractor@else") == colour("node.placeholder")
    assert g.background(END) == colour("node.end") != plain
    screenshots.take("journey-08-run-coloured", shell)

    # ---- the Test tab: the sample input as a case, run in the sandbox (nothing recorded)
    ui.click("Test")
    see(ui, "cases run in a sandbox")
    ui.click("Run cases")
    see(ui, "1 passed", "the starter case (the sample input succeeds) passing")
    assert len(Workbench(lab.db).runs(NAME)) == 1  # the case left no run in history
    screenshots.take("journey-08b-test-tab", shell)

    # ---- 10. execution history: the run, its steps, its path
    ui.click("Execution history")
    see(ui, f"Execution history: {NAME} (1 run(s))")
    shell.get_by_role("button", name=re.compile(re.escape(run_id[:8]))).click()  # its row
    see(ui, "groups.remove_user", "the run's steps")
    for shown in (run_id[:8], "succeeded", email):
        see(ui, shown, f"the run's {shown!r} in its history")
    wait_for_graph(shell, coloured, "the run's path on the history graph")
    screenshots.take("journey-09-history", shell)

    # ---- 11. back to the overview: the workflow is listed with its run
    ui.click("Back to workflows")
    wait_until(lambda: NAME in overview_rows(shell), "the new workflow in the overview")
    row = overview_rows(shell)[NAME]
    assert row[1:3] == ["Manual", ""], row  # type; the Enabled cell is a checkbox
    assert row[3] == "manager" and row[4] == "succeeded" and row[6] == "1", row
    screenshots.take("journey-10-back-to-overview", shell)

    # what the clicks' Python callbacks printed (JupyterLab's log console): no traceback
    console.add_kernel_log(nb.kernel_log())
    assert_page_clean(nb, console)
