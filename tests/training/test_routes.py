"""wfbench.training.routes: the class board over HTTP: readers see the board, a learner key
is confined to the class's own route (in process: FastAPI's TestClient)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from wfbench.api import create_app
from wfbench.training.board import ClassBoard
from wfbench.training.routes import CLASS_PREFIX
from wfbench.workbench import Workbench


def test_readers_see_the_board_and_a_learner_key_nothing_else() -> None:
    wb = Workbench(":memory:")
    viewer = {"x-api-key": wb.access.create_key("trainer", "viewer")}
    with TestClient(create_app(wb, classroom=True)) as client:
        learner = {"x-api-key": ClassBoard(wb).add_learner("ada")}
        assert client.get(f"{CLASS_PREFIX}/results", headers=viewer).json() == []
        board = client.get(f"{CLASS_PREFIX}/board", headers=viewer).json()
        assert board["exercises"] == [] and list(board["learners"]) == ["ada"]
        assert client.get(f"{CLASS_PREFIX}/board").status_code == 401  # no key
        for path in (f"{CLASS_PREFIX}/board", f"{CLASS_PREFIX}/results", "/api/v2/workflows"):
            refused = client.get(path, headers=learner)
            assert refused.status_code == 403, path
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["detail"].startswith("a learner key may only POST ")


def test_without_a_class_there_are_no_class_routes() -> None:
    wb = Workbench(":memory:")
    viewer = {"x-api-key": wb.access.create_key("trainer", "viewer")}
    with TestClient(create_app(wb)) as client:
        assert client.get(f"{CLASS_PREFIX}/board", headers=viewer).status_code == 404
