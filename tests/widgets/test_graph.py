"""The pure workflow → cytoscape projection (wfbench.widgets.graph), without widgets."""

from __future__ import annotations

import json
import sys
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from wfbench.model import Workflow, iter_nodes
from wfbench.validation import Issue, load_workflow
from wfbench.widgets.graph import (
    END,
    GAP_X,
    LOOP_HEADER,
    NODE_H,
    NODE_W,
    PLACEHOLDER_H,
    PLACEHOLDER_W,
    TRIGGER,
    elements,
    issue_targets,
    node_statuses,
    parse_placeholder,
    placeholder_id,
    status_classes,
)

SAMPLES = Path(__file__).parents[2] / "wfbench" / "samples"
BENCH = Path(__file__).parents[2] / "bench"


@pytest.fixture
def offboard() -> Workflow:
    return load_workflow(SAMPLES / "offboard_contractor.json")


def by_id(projected: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    return {n["data"]["id"]: n for n in projected["nodes"]}


def edge_labels(projected: dict[str, list[dict[str, Any]]]) -> dict[tuple[str, str], str]:
    return {
        (e["data"]["source"], e["data"]["target"]): e["data"]["label"] for e in projected["edges"]
    }


def size(node: dict[str, Any]) -> tuple[float, float]:
    if node["data"]["kind"] == "placeholder":
        return PLACEHOLDER_W, PLACEHOLDER_H
    if node["data"]["kind"] == "end":
        return PLACEHOLDER_W, PLACEHOLDER_H
    return NODE_W, NODE_H


def box(node: dict[str, Any]) -> tuple[float, float, float, float]:
    w, h = size(node)
    x, y = node["position"]["x"], node["position"]["y"]
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def descendants(projected: dict[str, list[dict[str, Any]]], parent: str) -> list[dict[str, Any]]:
    nodes = by_id(projected)
    out = []
    for node in projected["nodes"]:
        p = node["data"].get("parent")
        while p is not None:
            if p == parent:
                out.append(node)
                break
            p = nodes[p]["data"].get("parent")
    return out


def assert_readable(projected: dict[str, list[dict[str, Any]]]) -> None:
    """No two drawn boxes overlap, loops enclose only their body, every edge points down."""
    nodes = by_id(projected)
    leaves = [n for n in projected["nodes"] if n["data"]["kind"] != "loop"]
    for a, b in combinations(leaves, 2):
        assert not overlap(box(a), box(b)), (a["data"]["id"], b["data"]["id"])
    for loop in (n for n in projected["nodes"] if n["data"]["kind"] == "loop"):
        inside = descendants(projected, loop["data"]["id"])
        assert inside, "a loop always draws its body (or a placeholder for it)"
        boxes = [box(n) for n in inside]
        hull = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes) - LOOP_HEADER,
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        ids = {n["data"]["id"] for n in inside}
        for other in leaves:
            if other["data"]["id"] not in ids:
                assert not overlap(box(other), hull), (loop["data"]["id"], other["data"]["id"])
    for edge in projected["edges"]:
        src, dst = nodes[edge["data"]["source"]], nodes[edge["data"]["target"]]
        assert dst["position"]["y"] > src["position"]["y"], edge["data"]["id"]


def test_every_node_is_drawn_once_with_trigger_end_and_placeholders(offboard: Workflow) -> None:
    projected = elements(offboard)
    ids = [n["data"]["id"] for n in projected["nodes"]]
    steps = [n.id for n in iter_nodes(offboard.steps)]
    assert len(ids) == len(set(ids))
    # tell_manager's else branch is empty: one placeholder keeps its label visible
    assert ids.count(placeholder_id("tell_manager", "else")) == 1
    assert len(ids) == len(steps) + 3
    assert set(steps) | {TRIGGER, END, "tell_manager@else"} == set(ids)
    assert ids[0] == TRIGGER and ids[-1] == END


def test_if_else_edges_are_labelled_then_and_else(offboard: Workflow) -> None:
    labels = edge_labels(elements(offboard))
    assert labels[("is_contractor", "suspend")] == "then"
    assert labels[("is_contractor", "refuse")] == "else"
    assert labels[("tell_manager", "mail")] == "then"
    assert labels[("tell_manager", "tell_manager@else")] == "else"
    # both branches join again at the next node (here: the end)
    assert {s for (s, t) in labels if t == END} == {"mail", "tell_manager@else", "refuse"}
    then_edge = next(e for e in elements(offboard)["edges"] if e["data"]["label"] == "then")
    assert then_edge["classes"] == "then"
    into_loop = [e for e in elements(offboard)["edges"] if e["data"]["target"] == "each_group"]
    assert into_loop and all("to-loop" in e["classes"] for e in into_loop)


def test_loop_body_is_inside_the_loop(offboard: Workflow) -> None:
    projected = elements(offboard)
    nodes = by_id(projected)
    assert nodes["leave"]["data"]["parent"] == "each_group"
    assert nodes["lock"]["data"]["parent"] == "each_device"
    assert "parent" not in nodes["each_group"]["data"]
    assert nodes["each_group"]["data"]["kind"] == "loop"
    assert "for each group" in nodes["each_group"]["data"]["label"]
    # the flow goes into the loop and out of it, not through its body
    labels = edge_labels(projected)
    assert ("suspend", "each_group") in labels and ("each_group", "devices") in labels


def test_layout_reads_top_to_bottom_without_overlaps(offboard: Workflow) -> None:
    projected = elements(offboard)
    assert_readable(projected)
    nodes = by_id(projected)
    # then on the left, else on the right, below their if-else
    assert nodes["suspend"]["position"]["x"] < nodes["refuse"]["position"]["x"]
    assert nodes["suspend"]["position"]["y"] > nodes["is_contractor"]["position"]["y"]
    assert (
        nodes["refuse"]["position"]["x"] - nodes["suspend"]["position"]["x"] >= NODE_W + GAP_X / 2
    )


def test_nested_flows_in_any_combination_stay_readable() -> None:
    doc = {
        "name": "nested",
        "run_as": "read_only",
        "steps": [
            {
                "id": "outer",
                "kind": "loop",
                "items": [1, 2],
                "max_iterations": 5,
                "steps": [
                    {
                        "id": "branch",
                        "kind": "if_else",
                        "condition": "{{ loop.index > 0 }}",
                        "then": [
                            {
                                "id": "inner",
                                "kind": "loop",
                                "items": [1],
                                "max_iterations": 2,
                                "steps": [],
                            }
                        ],
                        "else": [
                            {
                                "id": "log",
                                "kind": "action",
                                "action": "core.log",
                                "with": {"message": "x"},
                            }
                        ],
                    },
                ],
            },
            {"id": "after", "kind": "action", "action": "core.log", "with": {"message": "y"}},
        ],
    }
    projected = elements(doc)
    nodes = by_id(projected)
    assert nodes["branch"]["data"]["parent"] == "outer"
    assert nodes["inner"]["data"]["parent"] == "outer"
    assert nodes["inner@steps"]["data"]["parent"] == "inner"
    assert nodes["log"]["data"]["parent"] == "outer"
    assert edge_labels(projected)[("outer", "after")] == ""
    assert_readable(projected)


def test_empty_workflow_is_trigger_then_end() -> None:
    projected = elements(Workflow(name="empty", run_as="read_only"))
    assert [n["data"]["id"] for n in projected["nodes"]] == [TRIGGER, END]
    assert edge_labels(projected) == {(TRIGGER, END): ""}
    assert projected["nodes"][0]["data"]["label"] == "Manual trigger\n0 input fields"


def test_trigger_card_counts_input_fields(offboard: Workflow) -> None:
    trigger = by_id(elements(offboard))[TRIGGER]
    assert trigger["data"]["label"] == "Manual trigger\n2 input fields"
    assert trigger["classes"] == "trigger"


def test_statuses_become_classes(offboard: Workflow) -> None:
    projected = elements(
        offboard,
        statuses={
            "user": "succeeded",
            "refuse": "skipped",
            "suspend": "failed",
            "lock": "simulated",
            "leave": "running",
        },
    )
    nodes = by_id(projected)
    assert nodes["user"]["classes"] == "action status-succeeded"
    assert nodes["refuse"]["classes"] == "action status-skipped"
    assert "status-failed" in nodes["suspend"]["classes"].split()
    assert "status-simulated" in nodes["lock"]["classes"].split()
    assert "status-running" in nodes["leave"]["classes"].split()
    assert nodes["user"]["data"]["status"] == "succeeded"
    assert not any(c.startswith("status-") for c in nodes["mail"]["classes"].split())


def test_issues_mark_their_nodes_invalid_with_the_message(offboard: Workflow) -> None:
    issues = [
        Issue.make(
            "error", "param.missing", "suspend", "with.user_id", "users.suspend requires 'user_id'"
        ),
        Issue.make("warning", "ref.maybe_skipped", "mail", "with.to", "may have been skipped"),
        Issue.make("error", "schema.invalid", None, "trigger.input_schema", "not a schema"),
        Issue.make("error", "role.too_narrow", None, "run_as", "too narrow"),
    ]
    nodes = by_id(elements(offboard, issues=issues))
    assert "invalid" in nodes["suspend"]["classes"].split()
    assert "requires 'user_id'" in nodes["suspend"]["data"]["tooltip"]
    assert "warning" in nodes["mail"]["classes"].split()
    assert "invalid" not in nodes["mail"]["classes"].split()
    assert "invalid" in nodes[TRIGGER]["classes"].split()
    assert not any(
        "invalid" in n["classes"] for k, n in nodes.items() if k not in ("suspend", TRIGGER)
    )
    # the same from issue dicts (the CLI/API shape)
    nodes = by_id(elements(offboard, issues=[i.to_dict() for i in issues]))
    assert "invalid" in nodes["suspend"]["classes"].split()


def test_issue_targets_leave_workflow_level_issues_off_the_graph() -> None:
    issues = [
        {"severity": "error", "node": None, "field": "run_as", "message": "m"},
        {"severity": "error", "node": None, "field": "trigger.sample_input", "message": "s"},
    ]
    assert issue_targets(issues) == {TRIGGER: [("error", "s")]}


def test_a_broken_draft_still_draws() -> None:
    doc = {
        "name": "draft",
        "steps": [
            {"id": "loop", "kind": "loop", "items": "{{ input.x }}"},  # no max_iterations
            {"kind": "action"},  # no id, no action
            "not a node",
        ],
    }
    projected = elements(doc)
    ids = [n["data"]["id"] for n in projected["nodes"]]
    assert ids == [TRIGGER, "loop", "loop@steps", "?", END]
    assert by_id(projected)["?"]["data"]["label"] == "• ?\n?"


def test_node_statuses_keep_the_worst_iteration() -> None:
    steps = [
        {"node": "a", "status": "succeeded"},
        {"node": "a", "status": "failed"},
        {"node": "a", "status": "succeeded"},
        {"node": "b", "status": "skipped"},
        {"node": "c", "status": "simulated"},
        {"node": "c", "status": "succeeded"},
    ]
    assert node_statuses(steps) == {"a": "failed", "b": "skipped", "c": "succeeded"}


def test_small_helpers() -> None:
    assert (
        status_classes("action status-running chosen", "succeeded")
        == "action chosen status-succeeded"
    )
    assert status_classes("action status-running", None) == "action"
    assert parse_placeholder("branch@then") == ("branch", "then")
    assert parse_placeholder("@trigger") is None
    assert parse_placeholder("plain") is None


def test_labels_are_short_and_json_safe(offboard: Workflow) -> None:
    projected = elements(offboard)
    json.dumps(projected)  # what goes to the browser is plain JSON
    label = by_id(projected)["is_contractor"]["data"]["label"]
    assert label == "◇ is_contractor\nif user.employee_type == 'contractor'"
    assert by_id(projected)["leave"]["data"]["label"] == "❖ leave\nGroups: remove user"
    assert by_id(projected)["each_group"]["data"]["label"] == (
        "↻ each_group\nfor each group in user.groups"
    )
    assert all(
        len(line) <= 60 for n in projected["nodes"] for line in n["data"]["label"].split("\n")
    )


def test_a_description_comes_first_in_a_label() -> None:
    doc = {
        "steps": [
            {"id": "u", "kind": "action", "action": "users.get", "description": "Find them"},
            {"id": "b", "kind": "if_else", "condition": "{{ true }}", "description": "Who?"},
        ]
    }
    nodes = by_id(elements(doc))
    assert nodes["u"]["data"]["label"] == "◉ Find them\nUsers: get"
    assert nodes["b"]["data"]["label"] == "◇ Who?\nif true"


def test_three_hundred_nodes_project_readably() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from validate import generate
    finally:
        sys.path.remove(str(BENCH))
    workflow = Workflow.model_validate(generate(300))
    projected = elements(workflow)
    steps = sum(1 for _ in iter_nodes(workflow.steps))
    assert steps >= 300
    placeholders = sum(1 for n in projected["nodes"] if n["data"]["kind"] == "placeholder")
    assert len(projected["nodes"]) == steps + 2 + placeholders
    assert len({n["data"]["id"] for n in projected["nodes"]}) == len(projected["nodes"])
    assert_readable(projected)
