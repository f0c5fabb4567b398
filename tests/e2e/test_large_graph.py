"""A 300-step workflow drawn on the canvas in the browser, timed (reported, never asserted).

The workflow is bench/validate.py's generator at 300 steps (blocks of an
action, an if-else with an action, a loop with an action and a nested
if-else; the same one bench/canvas.py times on the Python side), saved by a
notebook cell that then displays ``wb.canvas(name)``. The time runs from the
moment the cell starts (the kernel prints it) to the moment the browser's
cytoscape instance holds every node (same machine, same clock).
"""

from __future__ import annotations

import importlib.util
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from wfbench.widgets.graph import TRIGGER, elements

from .lab import TIMEOUT, Console, LabServer, Notebook, Shots, Timings, wait_for_graph

pytestmark = pytest.mark.e2e

STEPS = 300
MIN_HEIGHT = 400  # px: below this the canvas is clipped, not readable
BENCH = Path(__file__).resolve().parents[2] / "bench" / "validate.py"

SETUP = """\
import os
import time
from wfbench.workbench import Workbench

os.environ["WFBENCH_TABS"] = "1"  # views open in their tab, whatever the page answers

wb = Workbench()
wb.init(demo=True)
info = wb.save("large.json")
info.name, info.version"""

SHOW = """\
started = time.time()
cv = wb.canvas(info.name)
print(f"started={started:.3f} python_ms={(time.time() - started) * 1000:.1f} "
      f"nodes={len(cv.graph.node_ids())}")
cv"""

COUNT_JS = """
([root, expected]) => [...root.querySelectorAll('.__________cytoscape_container')]
    .some((e) => e._cyreg && e._cyreg.cy && e._cyreg.cy.nodes().length === expected)
  ? Date.now() / 1000 : null
"""


def generated(steps: int) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("wfbench_bench_validate", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc: dict[str, Any] = module.generate(steps)
    doc["name"] = f"Generated {steps} steps"
    return doc


def write_notebook(path: Path, *sources: str) -> None:
    """A notebook (nbformat 4) of code cells, without outputs."""
    cells: list[dict[str, Any]] = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"cell-{i}",
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for i, source in enumerate(sources)
    ]
    kernel = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    notebook = {"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4}
    path.write_text(json.dumps({**notebook, "nbformat_minor": 5}, indent=1))


def test_300_step_workflow_renders(
    lab: LabServer, page: Page, console: Console, screenshots: Shots, timings: Timings
) -> None:
    doc = generated(STEPS)
    expected = len(elements(doc)["nodes"])  # steps, placeholders, trigger and end
    (lab.root / "large.json").write_text(json.dumps(doc))
    write_notebook(lab.root / "large_canvas.ipynb", SETUP, SHOW)

    nb = Notebook(page, lab, "large_canvas.ipynb")
    nb.open()
    nb.run_all()
    out = nb.view("cv = wb.canvas(info.name)")  # its own tab
    handle = page.wait_for_function(
        COUNT_JS,
        arg=[out.element_handle(), expected],
        polling=50,
        timeout=2 * TIMEOUT * 1000,
    )
    counted_at = float(handle.json_value())
    g = wait_for_graph(
        out,
        lambda g: g.drawn and g.height >= MIN_HEIGHT and g.shown(TRIGGER),
        "the canvas, readable, its top in view",
    )
    shown_at = time.time()
    nb.wait_for_all_cells()
    printed = nb.output("cv = wb.canvas(info.name)").locator(".jp-OutputArea-output").first
    printed = printed.text_content() or ""
    found = re.search(r"started=([\d.]+) python_ms=([\d.]+) nodes=(\d+)", printed)
    assert found, f"the cell did not print its timing: {printed!r}"
    started, python_ms, nodes = float(found[1]), float(found[2]), int(found[3])
    assert nodes == expected

    assert len(g.nodes) == expected, f"{len(g.nodes)} nodes drawn, {expected} expected"
    # too tall to fit readably: the canvas shows its top at a readable zoom
    assert g.shown(TRIGGER), "the top of the workflow is not in view"
    note = f"{STEPS}-step generated workflow, {expected} graph nodes"
    timings.record("large canvas: Python side (wb.canvas)", python_ms / 1000, note)
    timings.record("large canvas: cell start -> all nodes in the browser", counted_at - started)
    timings.record(
        "large canvas: cell start -> shown at full height",
        shown_at - started,
        f"the graph box at least {MIN_HEIGHT} px tall with nodes in it",
    )
    screenshots.take("large-canvas-300-steps", out)

    console.add_kernel_log(nb.kernel_log())
    assert not nb.errors(), nb.errors()
    assert not console.problems(), "console errors:\n" + "\n".join(console.problems())
