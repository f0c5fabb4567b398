"""wfbench.validation.names: what a workflow name may hold."""

from __future__ import annotations

from wfbench.validation.names import name_issues


def test_a_plain_name_and_joiners_are_fine() -> None:
    assert name_issues("Onboard a new hire") == []
    assert name_issues("می\u200cخواهم") == []  # zero-width non-joiner: Persian


def test_each_kind_of_forbidden_character_is_one_issue_with_its_position() -> None:
    issues = name_issues("a\x00b\u202ec\u200bd\x01")
    messages = [i.message for i in issues]
    assert [i.code for i in issues] == ["name.invalid"] * 3
    assert (
        "control character (NUL, newline, tab or escape) (U+0000) at character 1" in (messages[0])
    )
    assert "bidirectional control character (U+202E) at character 3" in messages[1]
    assert "invisible format character" in messages[2] and "(U+200B)" in messages[2]
    assert all(i.pointer == "/name" for i in issues)


def test_a_name_shaped_like_a_workflow_id_is_refused() -> None:
    (issue,) = name_issues(" WF_0123456789 ")
    assert "has the shape of a workflow id" in issue.message
    assert name_issues("wf_0123456789a") == []
