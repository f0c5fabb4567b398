"""wfbench.training.serving: the class on a fixed port, so learner lines stay valid."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from solutions import HIDDEN, LOOKUP

from wfbench.errors import ClassPortTaken, UsageError
from wfbench.training import ClassBoard
from wfbench.training.board import CHECKS_PATH
from wfbench.training.serving import (
    DEFAULT_PORT,
    class_host,
    class_port,
    learner_line,
    learner_url,
    serve_class,
)
from wfbench.workbench import Workbench


def test_the_port_and_host_come_from_settings() -> None:
    assert class_port({}) == DEFAULT_PORT == 8000
    assert class_port({"WFBENCH_CLASS_PORT": " 8123 "}) == 8123
    assert class_port({"WFBENCH_CLASS_PORT": "0"}) == 0
    for bad in ("http", "-1", "70000"):
        with pytest.raises(UsageError, match="WFBENCH_CLASS_PORT"):
            class_port({"WFBENCH_CLASS_PORT": bad})
    assert class_host({}) == "127.0.0.1"
    assert class_host({"WFBENCH_CLASS_HOST": "0.0.0.0"}) == "0.0.0.0"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_learner_line_stays_valid_after_the_trainer_restarts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same store, the same fixed port: the line given before a restart still works."""
    port = _free_port()
    monkeypatch.setenv("WFBENCH_CLASS_PORT", str(port))
    db = tmp_path / "trainer.duckdb"
    trainer = Workbench(db)
    trainer.init(demo=True)
    board = ClassBoard(trainer)
    board.add_exercises(HIDDEN)
    key = board.add_learner("ada")
    server = board.serve()
    url = learner_url(server)
    line = learner_line(url, key)
    assert line == f"export WFBENCH_CLASS_URL=http://127.0.0.1:{port} WFBENCH_CLASS_KEY={key}"
    assert board.serve() is server  # Run All again in the same kernel: that server
    server.stop()  # the kernel ends

    again = ClassBoard(Workbench(db)).serve()  # a new kernel on the same store
    try:
        assert again is not server and learner_url(again) == url
        body = {"attempt": "after", "exercise": "1_lookup", "definition": LOOKUP}
        answer = httpx.post(url + CHECKS_PATH, json=body, headers={"x-api-key": key}, timeout=60)
        assert answer.status_code == 201, answer.text
        assert answer.json()["passed"] is True
    finally:
        again.stop()


def test_a_fixed_port_taken_by_something_else_is_said(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        port = other.getsockname()[1]
        with pytest.raises(ClassPortTaken, match="WFBENCH_CLASS_PORT"):
            serve_class(Workbench(tmp_path / "t.duckdb"), port)


def test_the_learner_url_names_this_machine_when_serving_every_address() -> None:
    class Served:
        url, port, host, running = "http://0.0.0.0:8000", 8000, "0.0.0.0", True

        def stop(self, timeout: float = 10.0) -> None: ...

    assert learner_url(Served()) == f"http://{socket.getfqdn()}:8000"
