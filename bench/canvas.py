"""Benchmark: drawing a 300-node workflow on the canvas (Python side).

Prints median times of:

- ``elements()`` — the pure projection with its layered layout (target: well
  under a second; it is milliseconds);
- building the graph widget from those elements (one ipycytoscape widget per
  node and edge, created in one batch);
- an in-place update (every node's status colour changed, nothing rebuilt);
- opening the whole canvas of the saved workflow (``wb.canvas(name)``:
  definition read, validation, projection, widgets);
- one structural edit on that canvas (add an action: validation, projection
  and a rebuild of the graph widget).

The browser's share (drawing the elements, no layout since positions are
``preset``) is not measured here: there is no browser in CI.

    .venv/bin/python bench/canvas.py [--steps 300] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

from wfbench.model import Workflow, iter_nodes
from wfbench.widgets.cytoscape import GraphView
from wfbench.widgets.graph import elements
from wfbench.workbench import Workbench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from validate import generate, median_ms  # bench/validate.py: the same workflow

    doc = generate(args.steps)
    workflow = Workflow.model_validate(doc)
    n_nodes = sum(1 for _ in iter_nodes(workflow.steps))
    projected = elements(workflow)
    n_el = len(projected["nodes"]) + len(projected["edges"])

    print(f"{platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}")
    print(
        f"workflow: {n_nodes} nodes -> {len(projected['nodes'])} graph nodes, "
        f"{len(projected['edges'])} edges"
    )
    t_elements = median_ms(lambda: elements(workflow), args.repeat)
    print(f"elements() projection + layout:        {t_elements:8.2f} ms")

    def build() -> None:
        GraphView().set_elements(projected)

    t_build = median_ms(build, args.repeat)
    print(f"graph widget built ({n_el} element widgets): {t_build:8.2f} ms")

    view = GraphView()
    view.set_elements(projected)
    ids = [n["data"]["id"] for n in projected["nodes"]]
    flip = iter(["succeeded", "running"] * (args.repeat + 2))

    def recolour() -> None:
        status = next(flip)
        for node_id in ids:
            view.set_status(node_id, status)

    t_colour = median_ms(recolour, args.repeat)
    print(f"status colour of every node, in place: {t_colour:8.2f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        wb = Workbench(Path(tmp) / "bench.duckdb")
        wb.init()
        wb.save(doc)
        t_canvas = median_ms(lambda: wb.canvas("generated").close(), args.repeat)
        print(f"wb.canvas(name): open the whole canvas:  {t_canvas:8.2f} ms")
        canvas = wb.canvas("generated")
        counter = iter(range(10_000))

        def add() -> None:
            canvas.add_action("core.log", after="trigger", node_id=f"bench{next(counter)}")

        t_add = median_ms(add, args.repeat)
        print(f"add an action (validate, project, rebuild): {t_add:8.2f} ms")


if __name__ == "__main__":
    main()
