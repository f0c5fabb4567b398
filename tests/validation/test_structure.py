"""wfbench.validation.structure: parsing a document, pruning what pydantic refuses."""

from __future__ import annotations

from typing import Any

from wfbench.validation.structure import ids_in, is_broken, parse_pruned


def _doc(*steps: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "wfbench/v1",
        "name": "t",
        "run_as": "read_only",
        "trigger": {"input_schema": {"type": "object"}},
        "steps": list(steps),
    }


def _action(id_: str, **extra: Any) -> dict[str, Any]:
    return {"id": id_, "kind": "action", "action": "core.log", "with": {"message": "m"}} | extra


def test_ids_in_finds_nested_ids() -> None:
    branch = {"id": "b", "kind": "if_else", "condition": "{{ true }}"}
    branch |= {"then": [_action("t1")], "else": [_action("e1")]}
    assert list(ids_in(_doc(_action("a"), branch))) == ["a", "b", "t1", "e1"]
    assert list(ids_in("not a node")) == []


def test_a_good_document_parses_whole() -> None:
    issues, pruned = parse_pruned(_doc(_action("a")))
    assert issues == []
    assert pruned is not None and pruned.opaque == set() and pruned.broken == set()
    assert [n.id for n in pruned.workflow.steps] == ["a"]


def test_a_broken_node_is_pruned_and_the_rest_still_parses() -> None:
    issues, pruned = parse_pruned(_doc(_action("a"), _action("b", bogus=1)))
    assert pruned is not None
    assert "b" in pruned.opaque and "a" not in pruned.opaque
    assert [i.node for i in issues] == ["b"]
    assert issues[0].pointer.startswith("/steps/1")
    assert [is_broken(n) for n in pruned.workflow.steps] == [False, True]
