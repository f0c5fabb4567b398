"""Issue 21 clicked in JupyterLab at 1,280 × 800: room to work, nothing lost, a run dialog
that checks as you type, a graph never cut, and a Cancel that cancels.

* the canvas of a 15-node workflow opens in its own main-area tab (``sidecar``), drawn
  whole; the wheel scrolls instead of zooming, the + button zooms (screenshot
  ``room-01-canvas-in-tab-15-nodes.png``); in a notebook the plain wheel scrolls the page
  and Ctrl+wheel zooms the drawing (``room-07-ctrl-wheel-zoomed.png``);
* with unsaved edits, Execution history asks Save / Discard / Stay; the run dialog opens
  in view, disables Run for malformed and schema-invalid input with the message at the
  field, and records nothing; the draft survives a kernel restart and is offered back;
  closing the page asks (``beforeunload``);
* a blocking ``run_many`` is cancelled from its bar's Cancel button while the cell waits,
  and the frame it returns, the bar and history agree;
* the trainer's notebook keeps its class board serving after Run All, and the learner
  lines it printed still work after a kernel restart; a learner's check in their own
  notebook gets the board's verdict on the hidden cases, hints and never an expectation.

Every wait is on a condition, bounded by :data:`~.lab.TIMEOUT`.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Dialog, Page

from wfbench.training import ClassBoard
from wfbench.workbench import Workbench

from .lab import (
    Console,
    LabServer,
    Notebook,
    Shots,
    Widgets,
    free_port,
    tab_label,
    wait_for_graph,
    wait_until,
)

pytestmark = pytest.mark.e2e

SIZE = {"width": 1280, "height": 800}
EDITED = "Offboard contractor (edited)"


def notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "metadata": {},
                    "outputs": [],
                    "source": cell,
                }
                for cell in cells
            ],
            "metadata": {
                "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def fifteen_nodes() -> dict[str, Any]:
    """A workflow drawn as 15 nodes: the trigger, 13 steps (an if-else, a loop) and End."""
    act = lambda i, action="core.log": {  # noqa: E731
        "id": f"s{i}",
        "kind": "action",
        "action": action,
        "with": {"message": f"step {i}"},
    }
    return {
        "format": "wfbench/v1",
        "name": "Fifteen",
        "run_as": "read_only",
        "trigger": {"input_schema": {"type": "object", "properties": {}}, "sample_input": {}},
        "steps": [
            act(1),
            act(2),
            {
                "id": "branch",
                "kind": "if_else",
                "condition": "{{ 1 == 1 }}",
                "then": [act(3), act(4), act(5)],
                "else": [act(6), act(7)],
            },
            {
                "id": "each",
                "kind": "loop",
                "items": "{{ [1, 2] }}",
                "as": "item",
                "max_iterations": 10,
                "steps": [act(8), act(9)],
            },
            act(10),
            act(11),
        ],
    }


#: The drawing's box on the page (every element, End included) and the box that shows it
#: (the scrolling graph box: what a person sees of the graph).
SIZE_JS = """
(el) => {
  const cy = el._cyreg.cy;
  const box = el.getBoundingClientRect();
  const seen = el.closest('.wfb-graph-box').getBoundingClientRect();
  const bb = cy.elements().renderedBoundingBox();
  return {zoom: cy.zoom(), userZoom: cy.userZoomingEnabled(), top: seen.top,
          bottom: seen.bottom, y1: box.top + bb.y1, y2: box.top + bb.y2,
          x1: box.left + bb.x1, x2: box.left + bb.x2, left: seen.left, right: seen.right,
          nodes: cy.nodes().length};
}
"""


def test_the_canvas_opens_in_its_own_tab_whole_and_never_cut(
    lab: LabServer, page: Page, console: Console, screenshots: Shots
) -> None:
    Workbench(lab.db).save(fifteen_nodes())
    (Path(lab.root) / "room.ipynb").write_text(
        notebook("import wfbench\nwb = wfbench.Workbench()\ncv = wb.canvas('Fifteen').in_tab()")
    )
    page.set_viewport_size(SIZE)
    nb = Notebook(page, lab, "room.ipynb")
    nb.open()
    nb.run_all()
    title = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="wfbench: Fifteen")
    wait_until(lambda: title.count() > 0, "a main-area tab titled 'wfbench: Fifteen'")
    scope = page.locator(".jupyterlab-sidecar").last
    g = wait_for_graph(scope, lambda g: g.drawn and not g.outside(), "the graph drawn whole")
    assert len(g.nodes) >= 15, len(g.nodes)
    container = scope.locator(".__________cytoscape_container").last
    container.scroll_into_view_if_needed()

    def whole() -> dict[str, Any] | None:
        size: dict[str, Any] = container.evaluate(SIZE_JS)
        inside = size["top"] - 1 <= size["y1"] and size["y2"] <= size["bottom"] + 1
        inside = inside and size["left"] - 1 <= size["x1"] and size["x2"] <= size["right"] + 1
        in_view = size["top"] >= 0 and size["bottom"] <= SIZE["height"]
        return size if inside and in_view else None

    size = wait_until(
        whole,
        "the whole graph inside its box, the box inside the window",
        seen=lambda: str(container.evaluate(SIZE_JS)),
    )
    assert size["zoom"] >= 0.45, size  # drawn whole at about half size, not a stamp
    assert page.locator("#jp-main-dock-panel .jupyterlab-sidecar").count() > 0  # main area
    assert not size["userZoom"]
    screenshots.take("room-01-canvas-in-tab-15-nodes", page)
    # the wheel scrolls (the page, not the drawing's zoom)
    box = container.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 300)
    assert container.evaluate(SIZE_JS)["zoom"] == size["zoom"]
    # zoom has its own button
    scope.get_by_role("button").filter(has=page.locator(".fa-search-plus")).first.click()
    wait_until(
        lambda: container.evaluate(SIZE_JS)["zoom"] > size["zoom"] * 1.1,
        "the + button to zoom the drawing in",
    )
    assert not nb.errors()


#: The scroll offset of the nearest box around the element that scrolls (the notebook).
SCROLLED_JS = """
(el) => {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const y = getComputedStyle(p).overflowY;
    if ((y === 'auto' || y === 'scroll') && p.scrollHeight > p.clientHeight + 1) return p.scrollTop;
  }
  return document.scrollingElement.scrollTop;
}
"""


def test_the_wheel_scrolls_the_page_and_ctrl_wheel_zooms_the_graph(
    lab: LabServer, page: Page, console: Console, screenshots: Shots
) -> None:
    wb = Workbench(lab.db)
    if wb.workflows.find("Wheel") is None:
        wb.save({**fifteen_nodes(), "name": "Wheel"})
    (Path(lab.root) / "wheel.ipynb").write_text(
        notebook(
            # inline, in the notebook's page (views open in their own tab otherwise)
            "import os\nos.environ['WFBENCH_TABS'] = '0'\n"
            "import wfbench\nwb = wfbench.Workbench()\ncv = wb.canvas('Wheel')\ncv",
            "print('\\n'.join(f'below the canvas, line {i}' for i in range(80)))",
        )
    )
    page.set_viewport_size(SIZE)
    nb = Notebook(page, lab, "wheel.ipynb")
    nb.open()
    nb.run_all()
    nb.wait_for_all_cells()
    out = nb.output("wb.canvas(")
    wait_for_graph(out, lambda g: g.drawn, "the canvas drawn")
    container = out.locator(".__________cytoscape_container").last
    container.scroll_into_view_if_needed()

    def zoom() -> float:
        return float(container.evaluate("(el) => el._cyreg.cy.zoom()"))

    def scrolled() -> float:
        return float(container.evaluate(SCROLLED_JS))

    def settled() -> float:
        seen: list[float] = []

        def still() -> bool:
            seen.append(scrolled())
            return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]

        wait_until(still, "the page to stop scrolling")
        return seen[-1]

    def over_the_graph() -> None:
        box = container.bounding_box()
        assert box is not None and box["height"] > 100, box
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 200))

    zoomed, top = zoom(), settled()
    over_the_graph()
    page.mouse.wheel(0, 240)  # the plain wheel: the page scrolls, the drawing keeps its zoom
    wait_until(lambda: scrolled() > top, "the plain wheel to scroll the page")
    assert zoom() == zoomed
    top = settled()
    over_the_graph()
    page.keyboard.down("Control")  # Ctrl+wheel: the drawing zooms in, the page stays
    page.mouse.wheel(0, -300)
    page.keyboard.up("Control")
    wait_until(lambda: zoom() > zoomed * 1.2, "Ctrl+wheel to zoom the drawing in")
    assert settled() == top
    screenshots.take("room-07-ctrl-wheel-zoomed", page)
    assert not nb.errors()


def test_nothing_is_lost_and_the_run_dialog_checks_as_you_type(
    lab: LabServer, page: Page, console: Console, screenshots: Shots
) -> None:
    wb = Workbench(lab.db)
    before = len(wb.runs("Offboard contractor"))
    (Path(lab.root) / "keep.ipynb").write_text(
        notebook(
            "import wfbench\nwb = wfbench.Workbench()\ncv = wb.canvas('Offboard contractor')\ncv"
        )
    )
    page.set_viewport_size(SIZE)
    nb = Notebook(page, lab, "keep.ipynb")
    nb.open()
    nb.run_all()
    out = nb.view("wb.canvas(")  # its own tab
    ui = Widgets(out)
    wait_for_graph(out, lambda g: g.drawn, "the canvas drawn")
    name = out.locator("input[type=text]").first
    ui.type(name, EDITED)
    wait_until(lambda: ui.button("Save changes").count() > 0, "the unsaved bar")

    # 1. every way out asks: Execution history → Save / Discard / Stay
    ui.click("Execution history")
    wait_until(lambda: ui.button("Stay").count() > 0, "the leave prompt")
    assert ui.button("Discard").count() and ui.button("Save").count()
    screenshots.take("room-02-history-asks", page)
    ui.click("Stay")
    wait_until(lambda: ui.button("Stay").count() == 0, "the prompt to go")
    assert name.input_value() == EDITED  # still on the canvas, the edit kept

    # 2. the run dialog opens in view and checks as typed
    ui.click("Run workflow")
    dialog = out.locator(".wfb-dialog")
    dialog.wait_for()
    box = dialog.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + 40 <= SIZE["height"], box
    text = dialog.locator("textarea").first
    run = Widgets(dialog).button("Run")
    text.fill('{"email": ')  # malformed, never leaving the box
    wait_until(
        lambda: run.is_disabled() and "not valid JSON" in dialog.inner_text(),
        "Run disabled with the JSON problem at the field",
    )
    text.fill('{"email": 42}')  # parses, but the schema refuses it
    wait_until(
        lambda: run.is_disabled() and "is not of type" in dialog.inner_text(),
        "Run disabled with the schema's problem at the field",
    )
    screenshots.take("room-03-run-dialog-checks", page)
    run.click(force=True)
    assert len(wb.runs("Offboard contractor")) == before  # no rejected run recorded
    Widgets(dialog).click("Close")

    # 3. the draft survives a kernel restart, and is offered back
    nb.activate()  # the Kernel menu acts on the notebook in front
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Kernel$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Restart Kernel…?$")).first.click()
    page.locator(".jp-Dialog .jp-mod-accept").click()
    wait_until(
        lambda: wb.drafts.kept(wb.workflows.info("Offboard contractor").id),
        "the kept draft",
    )
    nb.run_all()
    title = "wfbench: Offboard contractor"
    wait_until(lambda: tab_label(page, title).count() == 2, "the canvas's new tab")
    out = nb.view("wb.canvas(")  # the new tab, in front
    ui = Widgets(out)
    name = out.locator("input[type=text]").first
    wait_until(lambda: ui.button("Restore draft").count() > 0, "the kept draft offered")
    ui.click("Restore draft")
    wait_until(lambda: name.input_value() == EDITED, "the draft restored")
    screenshots.take("room-04-draft-restored", page)

    # 4. closing the page with unsaved edits asks first
    asked: list[str] = []

    def answer(d: Dialog) -> None:
        asked.append(d.type)
        d.dismiss()

    guard = "() => [!!window.__wfbLeaveGuard, [...document.querySelectorAll('.wfb-unsaved')]"
    guard += ".some((el) => el.isConnected && el.getClientRects().length > 0)]"
    wait_until(  # the guard is there, and the edit shows as unsaved
        lambda: page.evaluate(guard) == [True, True], "the leave guard and the unsaved bar"
    )
    page.on("dialog", answer)
    with page.expect_event("dialog"):  # Playwright's own wait: events come while it waits
        page.close(run_before_unload=True)
    assert asked == ["beforeunload"]


def test_cancel_stops_a_blocking_batch_and_the_three_agree(
    lab: LabServer, page: Page, console: Console, screenshots: Shots
) -> None:
    wb = Workbench(lab.db)
    wb.save(
        {
            "name": "Slow one",
            "run_as": "read_only",
            "trigger": {"input_schema": {"type": "object", "properties": {}}, "sample_input": {}},
            "steps": [
                {"id": "pause", "kind": "action", "action": "core.wait", "with": {"seconds": 0.1}}
            ],
        }
    )
    (Path(lab.root) / "batch.ipynb").write_text(
        notebook(
            "import wfbench\nwb = wfbench.Workbench()\n"
            "out = wb.run_many('Slow one', [{}] * 300, batch='room', concurrency=1)",
            "import collections\nprint('FRAME', dict(collections.Counter(out['status'])))",
        )
    )
    page.set_viewport_size(SIZE)
    nb = Notebook(page, lab, "batch.ipynb")
    nb.open()
    nb.run_all()
    bar = nb.output("run_many(")
    label = bar.locator(".widget-html-content", has_text="/300 runs")

    def done_rows() -> int:
        found = re.search(r"(\d+)/300 runs", label.inner_text()) if label.count() else None
        return int(found.group(1)) if found else 0

    wait_until(lambda: done_rows() >= 5, "the batch to be under way")
    Widgets(bar).click("Cancel")
    printed = nb.output("print('FRAME'")
    wait_until(lambda: "FRAME" in printed.inner_text(), "the cell to return after Cancel")
    frame = ast.literal_eval(printed.inner_text().split("FRAME", 1)[1].strip())
    assert frame.get("cancelled", 0) > 0 and frame.get("succeeded", 0) < 300, frame
    assert "pending" not in frame
    counts = re.search(r"runs \(([^)]*)\)", label.inner_text())
    assert counts is not None, label.inner_text()
    shown = {status: int(n) for n, status in re.findall(r"(\d+) (\w+)", counts.group(1))}
    assert shown == frame  # the bar
    history = Counter(wb.runs(batch="room")["status"])
    assert history["succeeded"] == frame["succeeded"]  # history
    assert history["cancelled"] <= frame["cancelled"]  # rows never started have no run
    assert sum(history.values()) + (frame["cancelled"] - history["cancelled"]) == 300
    screenshots.take("room-05-batch-cancelled", page)


def test_notebook_7_shows_and_clicks_the_workbench(
    lab: LabServer, page: Page, console: Console, screenshots: Shots
) -> None:
    """``make lab`` installs Notebook 7; the same server answers it, and the workbench's
    widgets render and answer clicks there (no "Model not found")."""
    (Path(lab.root) / "nb7.ipynb").write_text(
        notebook("import wfbench\nwb = wfbench.Workbench()\nov = wb.overview()\nov")
    )
    page.set_viewport_size(SIZE)
    page.goto(f"{lab.url}/notebooks/nb7.ipynb")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    cell = page.locator(".jp-CodeCell").first

    def ran() -> bool:
        for dialog in page.locator(".jp-Dialog .jp-mod-accept").all():
            dialog.click()  # a kernel chooser, if any
        if Widgets(cell).button("Offboard contractor").count():
            return True
        if cell.locator(".jp-InputPrompt").inner_text().strip() == "[ ]:":  # not run yet
            cell.click()
            page.keyboard.press("Shift+Enter")  # refused while no kernel: tried again
        return False

    wait_until(ran, "the overview drawn in Notebook 7", every=0.5)
    ui = Widgets(cell)
    ui.click("Offboard contractor")
    wait_for_graph(cell, lambda g: g.drawn, "the canvas drawn in Notebook 7")
    screenshots.take("room-06-notebook-7", page)
    text = page.locator(".jp-Notebook").inner_text()
    assert not [m for m in ("Error displaying widget", "Model not found") if m in text]


NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
LOOKUP = {
    "format": "wfbench/v1",
    "name": "Look up a person",
    "run_as": "read_only",
    "trigger": {
        "input_schema": {
            "type": "object",
            "required": ["email"],
            "properties": {"email": {"type": "string"}},
        }
    },
    "steps": [
        {
            "id": "user",
            "kind": "action",
            "action": "users.get",
            "with": {"email": "{{ input.email }}"},
        }
    ],
}
LINE = re.compile(r"(\w+): export WFBENCH_CLASS_URL=(\S+) WFBENCH_CLASS_KEY=(\S+)")


def _with_first_cell(path: Path, source: str) -> None:
    """The notebook at ``path`` with one code cell put first (the room's own settings)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = {"cell_type": "code", "execution_count": None, "id": "room-settings"}
    nb["cells"].insert(0, cell | {"metadata": {}, "outputs": [], "source": source})
    path.write_text(json.dumps(nb), encoding="utf-8")


def _check(url: str, key: str, attempt: str) -> httpx.Response:
    body = {"attempt": attempt, "exercise": "1_lookup", "definition": LOOKUP}
    return httpx.post(
        f"{url}/api/v2/class/checks", json=body, headers={"x-api-key": key}, timeout=60
    )


def test_the_trainer_keeps_serving_and_learner_lines_stay_valid(
    lab: LabServer, page: Page, console: Console, screenshots: Shots
) -> None:
    """Item 7: trainer.ipynb under Run All leaves its class served on the fixed port; the
    line it printed for a learner works after Run All, and after a kernel restart; the
    learner's check in training.ipynb shows the board's verdict, never its expectations."""
    shutil.copytree(NOTEBOOKS / "trainer", lab.root / "trainer", dirs_exist_ok=True)
    shutil.copytree(NOTEBOOKS / "training", lab.root / "training", dirs_exist_ok=True)
    port = free_port()
    _with_first_cell(
        lab.root / "trainer" / "trainer.ipynb",
        f"import os\nos.environ['WFBENCH_CLASS_PORT'] = '{port}'  # the room's fixed port",
    )
    page.set_viewport_size(SIZE)
    trainer = Notebook(page, lab, "trainer/trainer.ipynb")
    trainer.open()
    trainer.run_all()
    served = trainer.output("board.serve()")
    last = trainer.output("keeps serving at")
    wait_until(lambda: "keeps serving at" in last.inner_text(), "Run All to reach the end")
    lines = {m[0]: (m[1], m[2]) for m in LINE.findall(served.inner_text())}
    url, key = lines["ada"]
    assert url == f"http://127.0.0.1:{port}", url
    answer = _check(url, key, "after-run-all")
    assert answer.status_code == 201 and answer.json()["passed"], answer.text

    # a kernel restart, then Run All again: the same URL, and ada's line still works
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Kernel$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Restart Kernel…?$")).first.click()
    page.locator(".jp-Dialog .jp-mod-accept").click()

    def gone() -> bool:
        try:
            httpx.get(url, timeout=2)
        except httpx.TransportError:
            return True
        return False

    wait_until(gone, "the old kernel's server to be gone")
    trainer.run_all()
    wait_until(lambda: "has a key already" in served.inner_text(), "the second Run All")
    wait_until(lambda: "keeps serving at" in last.inner_text(), "the second Run All's end")
    assert f"served at {url}." in served.inner_text()
    answer = _check(url, key, "after-restart")
    assert answer.status_code == 201 and answer.json()["passed"], answer.text

    # ada, in her own store, with the line she was given
    learner_db = lab.home / "ada.duckdb"
    _with_first_cell(
        lab.root / "training" / "training.ipynb",
        "import os\n"
        f"os.environ['WFBENCH_DB'] = {str(learner_db)!r}  # her own store\n"
        f"os.environ['WFBENCH_CLASS_URL'] = {url!r}\n"
        f"os.environ['WFBENCH_CLASS_KEY'] = {key!r}\n"
        "import wfbench\n"
        "ada = wfbench.Workbench()\n"
        "ada.init(demo=True)\n"
        f"ada.save({json.dumps(LOOKUP)!r})  # her exercise 1, built in the canvas",
    )
    learner = Notebook(page, lab, "training/training.ipynb")
    learner.open()
    learner.run_all()
    learner.wait_for_all_cells()
    learner.view("wb.overview()")  # the overview opens in its own tab, in front
    learner.activate()  # back to the notebook, to read the checks
    first = learner.output("result1 = ex1.check(wb)")
    wait_until(lambda: "hidden cases pass" in first.inner_text(), "the board's verdict")
    text = first.inner_text()
    assert "checked on the class board: 2/2 hidden cases pass" in text, text
    assert "finds someone else" in text and "Well done" in text
    for secret in ("isaac.park", "u_0007", "nobody@example.com"):  # hidden cases' data
        assert secret not in page.locator(".jp-Notebook").inner_text(), secret
    second = learner.output("result2 = ex2.check(wb)")
    assert "save a workflow named 'Suspend a contractor' first" in second.inner_text()
    first.scroll_into_view_if_needed()
    screenshots.take("room-07-learner-check-on-the-class-board", first)
    results = ClassBoard(Workbench(lab.db)).results()
    assert list(results[results["learner"] == "ada"]["exercise"]) == ["1_lookup"] * 3
