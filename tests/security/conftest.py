"""Shared harness of the attack corpus (issue 10).

Everything here drives the product through its public entry points only:
``wfbench.Workbench`` and the names of ``wfbench/__init__.py``, ``wfbench.cli.main`` in
process, the ``wfbench`` console script in subprocesses, and HTTP against a real
``wb.serve()`` on loopback. Nothing of the product is mocked.

Nothing may hang the suite: evaluations run in a long-lived worker subprocess that is
killed and started again when a case passes its deadline; CLI subprocesses have a
timeout; servers run on daemon threads and are shut down by their fixtures.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
BIN = Path(sys.executable).parent
WFBENCH = str(BIN / "wfbench")
#: The hard bound of every hostile case, in seconds of the worker's CPU time (its
#: process time, which a loaded machine does not stretch as it does the wall clock).
DEADLINE_S = 5.0
#: How long to wait for an answer before the case counts as hung (a case blocked on I/O
#: uses no CPU): generous, since it only matters for a case that never answers.
HANG_S = 60.0


# --------------------------------------------------------------------------- documents


def workflow(
    steps: list[dict[str, Any]],
    *,
    schema: dict[str, Any] | None = None,
    name: str = "attack",
    run_as: str = "read_only",
) -> dict[str, Any]:
    """A wfbench/v1 document."""
    return {
        "format": "wfbench/v1",
        "name": name,
        "type": "manual",
        "run_as": run_as,
        "trigger": {"input_schema": schema if schema is not None else {"type": "object"}},
        "steps": steps,
    }


def set_step(value: Any, step_id: str = "s") -> dict[str, Any]:
    return {"id": step_id, "kind": "action", "action": "core.set", "with": {"value": value}}


def with_input(expr: str) -> str:
    """``a``, ``b`` and ``c`` as names of input fields: ``input.a``…"""
    return re.sub(r"(?<![\w.'])([abc])(?![\w'])", r"input.\1", expr)


def expression_doc(expr: str, fields: tuple[str, ...] = ("a", "b", "c")) -> dict[str, Any]:
    """One ``core.set`` step whose value is ``{{ expr }}`` (``a``, ``b``, ``c`` read the
    input's fields of those names); the input declares ``fields``."""
    expr = with_input(expr)
    schema = {"type": "object", "properties": {f: {} for f in fields}}
    return workflow([set_step("{{ " + expr + " }}")], schema=schema)


# --------------------------------------------------------------------------- the worker


class Worker:
    """A subprocess that validates, saves and runs documents; killed when one hangs."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.spare: subprocess.Popen[str] | None = None  # started ahead, to replace a kill

    def _spawn(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(FIXTURES / "worker.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )

    def _start(self) -> subprocess.Popen[str]:
        proc, self.spare = self.spare or self._spawn(), None
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "the worker did not start within 60 s"
        assert json.loads(proc.stdout.readline()) == {"ready": True}
        return proc

    def ask(self, request: dict[str, Any], timeout: float = DEADLINE_S) -> dict[str, Any]:
        """The worker's answer with ``budget`` = ``timeout`` (the CPU seconds the case may
        use, checked by :func:`assert_finished_cleanly` against its ``cpu_s``), or
        ``{"hung": seconds}`` when none came within :data:`HANG_S` (the worker is then
        killed; the next call starts a new one)."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        proc = self.proc
        assert proc.stdin is not None and proc.stdout is not None
        started = time.monotonic()
        proc.stdin.write(json.dumps(request) + "\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], max(HANG_S, 4 * timeout))
        took = time.monotonic() - started
        if not ready:
            self.stop(keep_spare=True)
            self.spare = self._spawn()
            return {"hung": round(took, 2)}
        line = proc.stdout.readline()
        if not line:  # the worker died (memory, a crash in C)
            code = proc.wait(5)
            self.stop()
            return {"died": code, "took": took}
        answer: dict[str, Any] = json.loads(line)
        answer["took"] = took  # wall clock: reported, never asserted
        answer["budget"] = timeout
        return answer

    def stop(self, keep_spare: bool = False) -> None:
        for proc in (self.proc, None if keep_spare else self.spare):
            if proc is not None:
                proc.kill()
                proc.wait(10)
                for pipe in (proc.stdin, proc.stdout):
                    if pipe is not None:
                        pipe.close()
        self.proc = None
        if not keep_spare:
            self.spare = None


@pytest.fixture(scope="session")
def worker() -> Iterator[Worker]:
    w = Worker()
    yield w
    w.stop()


def assert_finished_cleanly(answer: dict[str, Any], what: str) -> None:
    """The case neither hung, nor killed the worker, nor raised anything but a clear error."""
    assert "hung" not in answer, f"{what}: no answer after {answer.get('hung')} s (a hang)"
    assert "died" not in answer, f"{what}: the process died ({answer})"
    assert "crash" not in answer, f"{what}: {answer['crash']}: {answer.get('traceback')}"
    assert answer["cpu_s"] < answer["budget"], (
        f"{what}: used {answer['cpu_s']:.1f} s of CPU, over its {answer['budget']} s"
    )


# --------------------------------------------------------------------------- CLI


class CliResult:
    def __init__(self, code: int | None, out: str, err: str, tb: str | None) -> None:
        self.code, self.out, self.err, self.traceback = code, out, err, tb

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out[-600:]!r}, err={self.err[-600:]!r})"


def cli(*argv: str, stdin: str | None = None) -> CliResult:
    """``wfbench.cli.main(argv, out)`` in process, capturing stdout and stderr; an
    exception escaping main is reported as a traceback (what a user would see)."""
    from wfbench.cli import main

    out, err = io.StringIO(), io.StringIO()
    tb = None
    code: int | None
    old_stdin = sys.stdin
    try:
        if stdin is not None:
            sys.stdin = io.StringIO(stdin)
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main(list(argv), out)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException:
        code = None
        tb = traceback.format_exc()
    finally:
        sys.stdin = old_stdin
    return CliResult(code, out.getvalue(), err.getvalue(), tb)


def assert_clean_refusal(result: CliResult, codes: tuple[int, ...] = (2,)) -> None:
    """Exit with one of ``codes``, a short error, and no traceback anywhere."""
    assert result.traceback is None, f"a traceback escaped main():\n{result.traceback}"
    assert "Traceback" not in result.out + result.err, result
    assert result.code in codes, result
    lines = [line for line in (result.err or result.out).splitlines() if line.strip()]
    assert lines, f"no error message: {result}"
    if not lines[0].startswith("usage:"):  # argparse prints its usage, then one error line
        assert len(lines) <= 4, f"not a short error: {result}"


def cli_subprocess(
    *argv: str,
    timeout: float = 30,
    env: dict[str, str] | None = None,
    memory_mb: int | None = None,
    cwd: str | Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """The ``wfbench`` console script; a hang raises ``subprocess.TimeoutExpired``."""
    preexec: Callable[[], None] | None = None
    if memory_mb is not None:

        def preexec() -> None:
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [WFBENCH, *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec,
        cwd=cwd,
        errors="replace",
    )


# --------------------------------------------------------------------------- stores


@pytest.fixture(scope="session")
def demo_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store seeded by ``wfbench init --demo``; tests work on copies."""
    from wfbench import Workbench

    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    Workbench(str(path)).init(demo=True)
    return path


@pytest.fixture
def demo_store(tmp_path: Path, demo_store_template: Path) -> Path:
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store_template, path)
    wal = demo_store_template.with_name(demo_store_template.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, path.with_name(path.name + ".wal"))
    return path


def user_status(wb: Any, email: str) -> str:
    frame = wb.sql("select status from users where email = ?", [email])
    return str(frame.iloc[0, 0])


def some_active_user(wb: Any) -> tuple[str, str]:
    frame = wb.sql("select id, email from users where status = 'active' order by email limit 1")
    return str(frame.iloc[0, 0]), str(frame.iloc[0, 1])


# --------------------------------------------------------------------------- loopback servers


class HangServer:
    """Accepts TCP connections on loopback, records each, and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.held: list[socket.socket] = []
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.hits += 1
            self.held.append(conn)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def hang_server() -> Iterator[HangServer]:
    server = HangServer()
    yield server
    server.close()


class EchoServer:
    """An HTTP server on loopback answering ``respond(handler)``: ``(status, content type,
    body)`` or ``(status, content type, body, extra headers)``."""

    def __init__(self, respond: Callable[[http.server.BaseHTTPRequestHandler], Any]) -> None:
        outer = self
        self.requests: list[dict[str, str]] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                outer.requests.append(dict(self.headers.items()))
                status, ctype, body, *extra = respond(self)
                data = body if isinstance(body, bytes) else body.encode("utf-8")
                self.send_response(status)
                for name, value in (extra[0] if extra else {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def connector_class() -> Any:
    """The connector type (public if ``wfbench`` exports it; else where the engine keeps it)."""
    import wfbench

    found = getattr(wfbench, "Connector", None)
    if found is not None:
        return found
    try:
        from wfbench.actions.context import Connector
    except ImportError:  # moved by the restructure
        from wfbench.actions import Connector  # type: ignore[attr-defined,no-redef]
    return Connector


# --------------------------------------------------------------------------- HTTP API


class Api:
    def __init__(self, wb: Any, server: Any, keys: dict[str, str]) -> None:
        import httpx

        self.wb, self.server, self.keys = wb, server, keys
        self.http = httpx.Client(base_url=server.url, timeout=DEADLINE_S * 2)

    def call(self, method: str, path: str, role: str = "editor", **kw: Any) -> Any:
        headers = {"x-api-key": self.keys[role], **kw.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kw)


@pytest.fixture
def api(demo_store: Path) -> Iterator[Api]:
    from wfbench import Workbench

    wb = Workbench(str(demo_store))
    keys = {role: wb.access.create_key(f"attack-{role}", role) for role in ("viewer", "runner")}
    keys["editor"] = wb.access.create_key("attack-editor", "editor")
    server = wb.serve(port=0)
    client = Api(wb, server, keys)
    try:
        yield client
    finally:
        client.http.close()
        server.stop()


@contextmanager
def hang_guard(seconds: int = 20) -> Iterator[None]:
    """Fail (not freeze) if the body runs for ``seconds``: a hang detector, not a timing."""

    def fire(signum: int, frame: Any) -> None:
        raise AssertionError(f"still running after {seconds} s: unbounded work or a block")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
