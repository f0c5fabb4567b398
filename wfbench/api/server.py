"""Serving the app: from a thread of a kernel (:class:`ApiServer`, what
``Workbench.serve()`` returns) or in the foreground (``wfbench serve``)."""

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from wfbench.api.app import create_app
from wfbench.api.models import PREFIX
from wfbench.errors import ServerError
from wfbench.workbench import Workbench


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one), bound before serving."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class ApiServer:
    """The API served from a daemon thread of this process (what ``Workbench.serve()`` returns).

    ``url`` is where it listens; :meth:`stop` ends it (also on leaving a ``with`` block).
    ``port=0`` picks a free port; the socket is bound before this returns, so a port in
    use fails here, at once.
    """

    def __init__(
        self,
        app: FastAPI,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        start_timeout: float = 10.0,
        grace: int = 5,
    ) -> None:
        self._sock = _bind(host, port)
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        self.url = _url(host, self.port)
        config = uvicorn.Config(
            app,
            log_level=log_level,
            access_log=False,
            log_config=None,  # leave the kernel's logging alone
            ws="none",
            lifespan="off",
            timeout_graceful_shutdown=grace,
        )
        self._server = uvicorn.Server(config)
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._serve, name=f"wfbench-api-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + start_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerError(f"the API server at {self.url} did not start: {self._error}")
            time.sleep(0.005)

    def _serve(self) -> None:
        try:
            self._server.run(sockets=[self._sock])
        except BaseException as exc:  # kept for the starting thread to report
            self._error = exc

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for it; idempotent.

        Requests in flight get ``grace`` seconds (5) to finish, then their connections are dropped
        (a run they started goes on to its end in the background and is recorded).
        """
        if self._thread.is_alive():
            self._server.should_exit = True
            self._thread.join(timeout / 2)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(timeout / 2)
        self._sock.close()
        if self._thread.is_alive():
            raise ServerError(f"the API server at {self.url} did not stop within {timeout} s")

    def __enter__(self) -> "ApiServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<ApiServer {self.url} {'running' if self.running else 'stopped'}>"


def serve_forever(
    wb: Workbench,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    log_level: str = "info",
    announce: Callable[[str], None] = print,
    classroom: bool = False,
) -> None:
    """Serve in the foreground (``wfbench serve``) until interrupted (Ctrl-C, SIGTERM)."""
    sock = _bind(host, port)
    url = _url(host, sock.getsockname()[1])
    where = wb.path if wb.path == ":memory:" else str(Path(wb.path).expanduser().resolve())
    announce(f"wfbench: serving {where} at {url}{PREFIX} (OpenAPI: {url}/openapi.json)")
    app = create_app(wb, classroom=classroom)
    config = uvicorn.Config(app, log_level=log_level, ws="none", lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a foreground server is stopped; uvicorn has shut down by now
    finally:
        sock.close()
