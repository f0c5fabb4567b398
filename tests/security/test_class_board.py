"""Issue 19.7, 19.11 (class board) and the learner keys of 19 item 7.

Before: a 300 MB POST without a key was read in full (server RSS 1.14 GB) before the
answer 422; ``cases_passed`` >= 2**31 answered 500; a result for an exercise the class
does not do was recorded; a learner key could not be revoked. Against a real server on
loopback.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from wfbench import Workbench
from wfbench.training import ClassBoard

RESULTS = "/api/v2/class/results"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Any, ClassBoard]]:
    wb = Workbench(str(tmp_path / "store.duckdb"))
    board = ClassBoard(wb)
    with wb.serve(port=0, classroom=True) as server:
        yield server, board


def _post(url: str, key: str | None, **fields: Any) -> httpx.Response:
    body = {"attempt": "a1", "exercise": "1_lookup", "passed": True}
    body |= {"cases_passed": 1, "cases_total": 1} | fields
    headers = {"x-api-key": key} if key else {}
    return httpx.post(url + RESULTS, json=body, headers=headers, timeout=20)


@pytest.mark.parametrize("key", [None, "wfl_not-a-real-key"])
def test_an_oversized_body_is_refused_before_it_is_read(served: Any, key: str | None) -> None:
    """A declared 300 MB body: 413 at once, after sending only the headers."""
    server, _ = served
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        head = f"POST {RESULTS} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
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

    answer = httpx.post(server.url + RESULTS, content=chunks(), timeout=20)
    assert answer.status_code == 413


@pytest.mark.parametrize(
    "fields",
    [
        {"cases_passed": 2**31, "cases_total": 2**31},
        {"cases_passed": 2**63, "cases_total": 1},
        {"cases_passed": 5, "cases_total": 2},
        {"cases_passed": -1},
    ],
)
def test_numbers_are_validated(served: Any, fields: dict[str, Any]) -> None:
    server, board = served
    key = board.add_learner("ada")
    answer = _post(server.url, key, **fields)
    assert answer.status_code == 422, answer.text
    assert len(board.results()) == 0


def test_unknown_exercise_is_refused(served: Any) -> None:
    server, board = served
    board.add_exercises("1_lookup")
    key = board.add_learner("ada")
    answer = _post(server.url, key, exercise="9_made_up")
    assert answer.status_code == 422, answer.text
    assert "9_made_up" in answer.json()["detail"]
    assert _post(server.url, key).status_code == 201
    assert list(board.results()["exercise"]) == ["1_lookup"]


def test_a_revoked_learner_key_posts_nothing(served: Any) -> None:
    server, board = served
    key = board.add_learner("ada")
    assert _post(server.url, key).status_code == 201
    board.revoke_learner("ada")
    answer = _post(server.url, key, attempt="a2")
    assert answer.status_code == 401
    assert list(board.results()["attempt"]) == ["a1"]


def test_names_are_escaped_where_shown(served: Any) -> None:
    _, board = served
    key = board.add_learner("ada")
    del key
    from wfbench.training.board import ResultPost

    board.record(
        "ada",
        ResultPost(
            attempt="x", exercise="<script>x</script>", passed=True, cases_passed=1, cases_total=1
        ),
    )
    page = board._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
