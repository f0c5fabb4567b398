"""JSON pointers (RFC 6901): escaping, building, parsing, and their use in issues."""

from __future__ import annotations

import pytest

from wfbench import pointers
from wfbench.validation import validate


@pytest.mark.parametrize(
    ("token", "escaped"),
    [("plain", "plain"), ("a/b", "a~1b"), ("m~n", "m~0n"), ("~1", "~01"), ("/~", "~1~0"), (3, "3")],
)
def test_escape_and_unescape_round_trip(token: str | int, escaped: str) -> None:
    assert pointers.escape(token) == escaped
    assert pointers.unescape(escaped) == str(token)


def test_build_join_and_parse() -> None:
    assert pointers.build([]) == ""
    assert pointers.build(["steps", 0, "with", "a/b"]) == "/steps/0/with/a~1b"
    assert pointers.join("/steps/0", "with", "x~y") == "/steps/0/with/x~0y"
    assert pointers.parse("/steps/0/with/a~1b") == ["steps", "0", "with", "a/b"]
    assert pointers.parse("") == []
    assert pointers.parse("/") == [""]
    assert pointers.parse(pointers.build(["~01", "/"])) == ["~01", "/"]


def test_parse_refuses_text_that_is_not_a_pointer() -> None:
    with pytest.raises(ValueError, match="starts with '/'"):
        pointers.parse("steps/0")


def test_validation_escapes_user_keys_in_pointers() -> None:
    doc = {
        "format": "wfbench/v1",
        "name": "t",
        "run_as": "read_only",
        "steps": [
            {"id": "u", "kind": "action", "action": "users.get", "with": {"a/b~c": 1}},
            {
                "id": "v",
                "kind": "action",
                "action": "users.get",
                "with": {"email": {"k/1": "{{ nope }}"}},
            },
        ],
    }
    by_code = {i.code: i.pointer for i in validate(doc).issues}
    assert by_code["param.unknown"] == "/steps/0/with/a~1b~0c"
    assert by_code["ref.unknown_name"] == "/steps/1/with/email/k~11"
