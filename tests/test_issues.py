"""wfbench.issues: one problem found in a workflow, as JSON and as a line."""

from __future__ import annotations

from wfbench.issues import Issue


def test_to_dict_has_the_product_shape_and_position_only_when_known() -> None:
    issue = Issue.make("error", "expr.syntax", "n1", "condition", "bad", "/nodes/0", 4)
    assert issue.to_dict() == {
        "severity": "error",
        "code": "expr.syntax",
        "node": "n1",
        "field": "condition",
        "message": "bad",
        "pointer": "/nodes/0",
        "position": 4,
    }
    assert "position" not in Issue.make("warning", "c", None, None, "m").to_dict()


def test_describe_says_where_then_what() -> None:
    on_node = Issue.make("error", "param.missing", "mail", "with.to", "requires 'to'")
    assert on_node.describe() == "[param.missing] node 'mail', with.to: requires 'to'"
    on_workflow = Issue.make("warning", "name.invalid", None, None, "odd")
    assert on_workflow.describe() == "[name.invalid] workflow: odd"
