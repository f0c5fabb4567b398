"""wfbench.validation.schemas: an untrusted input schema reaches nothing and matches in
linear time; what a saved schema may not contain, each problem with its path."""

from __future__ import annotations

import pytest

from wfbench.validation.schemas import (
    MAX_COUNT,
    compile_pattern,
    schema_errors,
    schema_problems,
)


def test_patterns_run_on_re2_and_refuse_what_it_cannot_bound() -> None:
    assert compile_pattern("^(a+)+$").search("a" * 50_000 + "b") is None  # linear, not hung
    with pytest.raises(ValueError, match="backreferences and lookaround"):
        compile_pattern(r"(a)\1")
    with pytest.raises(ValueError, match=f"repeats more than {MAX_COUNT} times"):
        compile_pattern("a{99999999999}")
    with pytest.raises(ValueError, match="longer than 4,096 characters"):
        compile_pattern("a" * 4097)


def test_a_saved_schema_lists_every_problem_with_its_path() -> None:
    schema = {
        "$id": "https://example.com/s",
        "type": "object",
        "properties": {
            "a": {"$ref": "https://example.com/other.json"},
            "b": {"$ref": "#/$defs/missing"},
            "c": {"type": "string", "pattern": "(?=x)"},
            "$id": {"type": "string"},  # a property named $id is only a name
        },
        "patternProperties": {"(a)\\1": {}},
    }
    found = {tuple(path): message for path, message in schema_problems(schema)}
    assert set(found) == {
        ("$id",),
        ("properties", "a", "$ref"),
        ("properties", "b", "$ref"),
        ("properties", "c", "pattern"),
        ("patternProperties", "(a)\\1"),
    }
    assert (
        "points outside the schema; nothing is ever fetched" in found[("properties", "a", "$ref")]
    )
    assert found[("properties", "b", "$ref")] == (
        "the reference '#/$defs/missing' leads nowhere in the schema"
    )


def test_a_reference_loop_that_never_reaches_the_input_is_refused() -> None:
    looping = {"$defs": {"x": {"allOf": [{"$ref": "#/$defs/x"}]}}, "$ref": "#/$defs/x"}
    assert [message for _, message in schema_problems(looping)] == [
        "the input schema refers to itself without end ($ref loops that never reach a part "
        "of the input); fix the workflow's input schema"
    ]
    tree = {"type": "object", "properties": {"child": {"$ref": "#"}}}  # descends: fine
    assert schema_problems(tree) == []
    assert schema_errors(tree, {"child": {"child": {}}}) == []


def test_errors_come_in_path_order_and_a_remote_reference_is_one_error() -> None:
    schema = {
        "type": "object",
        "properties": {"b": {"type": "integer"}, "a": {"type": "string", "pattern": "^x"}},
        "additionalProperties": False,
    }
    errors = schema_errors(schema, {"b": "no", "a": "yes", "zz": 1})
    assert [list(e.absolute_path) for e in errors] == [[], ["a"], ["b"]]
    assert errors[0].message == "Additional properties are not allowed ('zz' was unexpected)"
    assert errors[1].message == "'yes' does not match '^x'"
    remote = {"$ref": "https://example.com/other.json"}  # stored before the check at save
    (only,) = schema_errors(remote, {})
    assert "never fetched" in only.message


def test_unique_items_compare_by_value_in_one_pass() -> None:
    schema = {"type": "array", "uniqueItems": True}
    assert schema_errors(schema, [1, True, "1", {"a": 1}]) == []
    (error,) = schema_errors(schema, [{"a": 1}, {"a": 1.0}])
    assert error.message == '{"a": 1.0} is not unique: items must be'
    assert schema_errors(schema, list(range(5_000))) == []
