"""wfbench.validation.checker: references, parameters and outputs checked node by node."""

from __future__ import annotations

from wfbench.validation import validate

from .support import action, errors, minimal


def test_other_branch_and_maybe_skipped() -> None:
    doc = minimal(
        steps=[
            {
                "id": "branch",
                "kind": "if_else",
                "condition": "{{ input.n > 1 }}",
                "then": [action("a", "core.set", value=1)],
                "else": [action("b", "core.set", value="{{ steps.a.output.value }}")],
            },
            action("after", "core.log", message="{{ steps.a.output.value }}"),
            action("guarded", "core.log", message="{{ default(steps.a.output.value, 0) }}"),
        ]
    )
    report = validate(doc)
    assert errors(report) == [("ref.other_branch", "b", "with.value")]
    assert [(w.code, w.node) for w in report.warnings] == [("ref.maybe_skipped", "after")]


def test_loop_scoping() -> None:
    doc = minimal(
        steps=[
            {
                "id": "each",
                "kind": "loop",
                "items": "{{ [1, 2] }}",
                "as": "x",
                "max_iterations": 5,
                "steps": [action("inner", "core.set", value="{{ x + loop.index }}")],
            },
            action("uses_var", "core.log", message="{{ x }}"),
            action("uses_body", "core.log", message="{{ steps.inner.output.value }}"),
            action("uses_loop", "core.log", message="{{ loop.index }}"),
            action("ok", "core.log", message="{{ steps.each.output[0].inner }}"),
        ]
    )
    assert errors(validate(doc)) == [
        ("ref.out_of_scope", "uses_var", "with.message"),
        ("ref.out_of_scope", "uses_body", "with.message"),
        ("ref.out_of_scope", "uses_loop", "with.message"),
    ]


def test_output_fields_are_checked_against_the_action_output_model() -> None:
    doc = minimal(
        steps=[
            action("user", "users.get", email="{{ input.email }}"),
            action("good", "core.log", message="{{ steps.user.output.groups[0].name }}"),
            action("bad", "core.log", message="{{ steps.user.output.mail }}"),
            action("bad_list", "core.log", message="{{ steps.user.output.groups.name }}"),
            {
                "id": "each",
                "kind": "loop",
                "items": "{{ steps.user.output.groups }}",
                "as": "g",
                "max_iterations": 10,
                "steps": [action("typo", "core.log", message="{{ g.nmae }}")],
            },
        ]
    )
    report = validate(doc)
    assert errors(report) == [
        ("ref.unknown_field", "bad", "with.message"),
        ("ref.unknown_field", "bad_list", "with.message"),
        ("ref.unknown_field", "typo", "with.message"),
    ]
    assert "email" in report.errors[0].message  # lists the fields there are


def test_parameters_are_checked_against_the_input_model() -> None:
    doc = minimal(
        run_as="administrator",
        steps=[
            action("a", "users.get"),
            action("b", "users.search", limit="many", colour="red"),
            action("c", "core.wait", seconds="{{ input.n }}"),
        ],
    )
    assert errors(validate(doc)) == [
        ("param.one_of", "a", "with"),
        ("param.unknown", "b", "with.colour"),
        ("param.type", "b", "with.limit"),
    ]
