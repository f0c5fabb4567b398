"""Issue 19.7, 19.11 and 21.7: the class board's door for learners' checks.

Before: a 300 MB POST without a key was read in full (server RSS 1.14 GB) before the
answer 422; counts posted by a learner were believed (``cases_passed`` >= 2**31 answered
500, and any learner could post a pass); a result for an exercise the class does not do
was recorded; a learner key could not be revoked. Now a learner sends a definition and
the board judges it; against a real server on loopback.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from wfbench import Workbench
from wfbench.training import ClassBoard

CHECKS = "/api/v2/class/checks"
HIDDEN = Path(__file__).parents[2] / "notebooks" / "trainer" / "hidden"
EMAIL = {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}}
USER = {
    "id": "user",
    "kind": "action",
    "action": "users.get",
    "with": {"email": "{{ input.email }}"},
}
LOOKUP = {
    "format": "wfbench/v1",
    "name": "Look up a person",
    "run_as": "read_only",
    "trigger": {"input_schema": EMAIL},
    "steps": [USER],
}
SUSPEND = {
    "format": "wfbench/v1",
    "name": "Suspend a contractor",
    "run_as": "help_desk",
    "trigger": {"input_schema": EMAIL},
    "steps": [
        USER,
        {
            "id": "suspend",
            "kind": "action",
            "action": "users.suspend",
            "with": {"user_id": "{{ steps.user.output.id }}"},
        },
    ],
}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Any, ClassBoard]]:
    wb = Workbench(str(tmp_path / "store.duckdb"))
    wb.init(demo=True)
    board = ClassBoard(wb)
    board.add_exercises(HIDDEN)
    with wb.serve(port=0, classroom=True) as server:
        yield server, board


def _post(url: str, key: str | None, **fields: Any) -> httpx.Response:
    body = {"attempt": "a1", "exercise": "1_lookup", "definition": LOOKUP} | fields
    headers = {"x-api-key": key} if key else {}
    return httpx.post(url + CHECKS, json=body, headers=headers, timeout=60)


@pytest.mark.parametrize("key", [None, "wfl_not-a-real-key"])
def test_an_oversized_body_is_refused_before_it_is_read(served: Any, key: str | None) -> None:
    """A declared 300 MB body: 413 at once, after sending only the headers."""
    server, _ = served
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        head = f"POST {CHECKS} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        if key:
            head += f"x-api-key: {key}\r\n"
        head += f"Content-Length: {300 * 1024 * 1024}\r\n\r\n"
        sock.sendall(head.encode() + b"{" * 1024)
        answer = sock.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]


def test_a_chunked_body_past_the_bound_is_refused(served: Any) -> None:
    server, _ = served

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b" " * 4096

    answer = httpx.post(server.url + CHECKS, content=chunks(), timeout=20)
    assert answer.status_code == 413


@pytest.mark.parametrize(
    "fields",
    [
        {"definition": None},
        {"definition": [LOOKUP]},
        {"definition": "a workflow"},
        {"attempt": ""},
        {"attempt": "x" * 65},
        {"attempt": "../../etc"},
        {"exercise": ""},
        {"passed": True, "cases_passed": 2**31, "cases_total": 2**31},  # the old counts
    ],
)
def test_bad_shapes_are_refused_and_nothing_recorded(served: Any, fields: dict[str, Any]) -> None:
    server, board = served
    key = board.add_learner("ada")
    answer = _post(server.url, key, **fields)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert len(board.results()) == 0


def test_an_invalid_definition_is_refused_with_every_issue(served: Any) -> None:
    server, board = served
    key = board.add_learner("ada")
    broken = json.loads(json.dumps(SUSPEND))
    broken["run_as"] = "nobody"
    broken["steps"][0]["action"] = "users.fetch"
    answer = _post(server.url, key, exercise="2_suspend", definition=broken)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"].endswith("/invalid-definition")
    fields = {(i["node"], i["field"]) for i in problem["issues"]}
    assert (None, "run_as") in fields and ("user", "action") in fields, problem
    assert len(board.results()) == 0


def test_unknown_exercise_is_refused(served: Any) -> None:
    server, board = served
    key = board.add_learner("ada")
    answer = _post(server.url, key, exercise="9_made_up")
    assert answer.status_code == 422, answer.text
    assert "9_made_up" in answer.json()["detail"]
    assert _post(server.url, key).status_code == 201
    assert list(board.results()["exercise"]) == ["1_lookup"]


def test_keys_no_key_another_kind_and_a_revoked_one(served: Any) -> None:
    server, board = served
    viewer = board.wb.access.create_key("trainer", "viewer")
    assert _post(server.url, None).status_code == 401
    assert _post(server.url, viewer).status_code == 403
    key = board.add_learner("ada")
    assert _post(server.url, key).status_code == 201
    board.revoke_learner("ada")
    answer = _post(server.url, key, attempt="a2")
    assert answer.status_code == 401
    assert "revoked" in answer.json()["detail"]
    assert list(board.results()["attempt"]) == ["a1"]


def test_an_attempt_id_is_one_check(served: Any) -> None:
    server, board = served
    ada, bo = board.add_learner("ada"), board.add_learner("bo")
    first = _post(server.url, ada)
    assert first.status_code == 201 and first.json()["recorded"] is True
    again = _post(server.url, ada)  # a retry: the same answer, not recorded twice
    assert again.status_code == 200 and again.json()["recorded"] is False
    assert again.json()["cases"] == first.json()["cases"]
    assert _post(server.url, bo).status_code == 409  # someone else's attempt id
    assert _post(server.url, ada, exercise="2_suspend").status_code == 409
    assert len(board.results()) == 1


def test_the_check_never_changes_the_board_store(served: Any) -> None:
    """A definition that deletes every user it is given, run by the board for every hidden
    case: the board's directory, history and definitions are as they were."""
    server, board = served
    key = board.add_learner("ada")
    wb = board.wb
    names = list(
        wb.sql(
            "select table_name from information_schema.tables "
            "where table_name not like 'class_%' order by 1"
        )["table_name"]
    )

    def rows() -> dict[str, list[str]]:
        return {n: sorted(map(repr, wb.sql(f'select * from "{n}"').itertuples())) for n in names}

    before = rows()
    wrecker = json.loads(json.dumps(SUSPEND).replace("users.suspend", "users.delete"))
    wrecker["run_as"] = "administrator"
    answer = _post(server.url, key, exercise="2_suspend", definition=wrecker)
    assert answer.status_code == 201, answer.text
    assert rows() == before


def test_names_are_escaped_where_shown(served: Any) -> None:
    _, board = served
    board.wb.sql(
        "INSERT INTO class_results (seq, attempt, learner, exercise, title, passed, "
        "cases_passed, cases_total, posted_at) VALUES "
        "(1, 'x', 'ada', '<script>x</script>', '', true, 1, 1, now()::TIMESTAMP)"
    )
    page = board._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
