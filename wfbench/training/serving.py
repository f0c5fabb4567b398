"""Serving a class from the trainer's kernel on a port that does not change.

The lines a trainer gives the learners (``export WFBENCH_CLASS_URL=… WFBENCH_CLASS_KEY=…``)
must stay valid when the trainer's kernel restarts: the keys live in the trainer's store,
and the class is served on a **fixed port**, ``$WFBENCH_CLASS_PORT`` (8000 when unset,
the port of ``wfbench serve --class`` too), on ``$WFBENCH_CLASS_HOST`` (127.0.0.1 when
unset; ``0.0.0.0`` lets the room reach it, and the learners' URL then names this
machine). Run All again in the same kernel finds the class already served and gives that
server back instead of failing on its own port.
"""

from __future__ import annotations

import os
import socket
import threading
from typing import TYPE_CHECKING, Protocol

from wfbench.errors import ClassPortTaken, UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from wfbench.workbench import Workbench

PORT_ENV, HOST_ENV = "WFBENCH_CLASS_PORT", "WFBENCH_CLASS_HOST"
#: The class's port when ``$WFBENCH_CLASS_PORT`` is not set: ``wfbench serve``'s default.
DEFAULT_PORT = 8000
_ANY_HOST = ("0.0.0.0", "::", "")


class Served(Protocol):
    """What :meth:`Workbench.serve` gives back, as far as a class needs it."""

    url: str
    port: int
    host: str

    @property
    def running(self) -> bool: ...

    def stop(self, timeout: float = 10.0) -> None: ...


#: The classes this process serves, by (store, host, port asked for).
_SERVED: dict[tuple[str, str, int], Served] = {}
_LOCK = threading.Lock()


def class_port(env: Mapping[str, str] | None = None) -> int:
    """The class's port: ``$WFBENCH_CLASS_PORT``, else :data:`DEFAULT_PORT` (0 picks a
    free one, for tests)."""
    text = (os.environ if env is None else env).get(PORT_ENV, "").strip()
    if not text:
        return DEFAULT_PORT
    if not text.isdigit() or int(text) > 65535:
        raise UsageError(f"${PORT_ENV} is {text!r}: give a port number from 0 to 65535")
    return int(text)


def class_host(env: Mapping[str, str] | None = None) -> str:
    """The address the class listens on: ``$WFBENCH_CLASS_HOST``, else 127.0.0.1."""
    return (os.environ if env is None else env).get(HOST_ENV, "").strip() or "127.0.0.1"


def serve_class(wb: Workbench, port: int | None = None, *, host: str | None = None) -> Served:
    """Serve ``wb``'s class (the API with the class board) from a thread of this process.

    ``port`` and ``host`` default to :func:`class_port` and :func:`class_host`. When this
    process serves that store on that address already, that server is given back."""
    port = class_port() if port is None else port
    host = class_host() if host is None else host
    key = (wb.path, host, port)
    with _LOCK:
        served = _SERVED.get(key)
        if served is not None and served.running:
            return served
        try:
            served = wb.serve(port, host=host, classroom=True)
        except OSError as exc:
            raise ClassPortTaken(
                f"cannot serve the class on {host}:{port}: {exc.strerror or exc}; stop what "
                f"listens there, or set ${PORT_ENV} to another port (and give the learners "
                "the new lines)"
            ) from exc
        _SERVED[key] = served
        return served


def learner_url(served: Served) -> str:
    """The URL learners use: the server's, with this machine's name when it listens on
    every address (``0.0.0.0`` is no address to connect to)."""
    if served.host in _ANY_HOST:
        return f"http://{socket.getfqdn()}:{served.port}"
    return served.url


def learner_line(url: str, key: str) -> str:
    """The line a learner runs before starting Jupyter (or, in a cell, with ``%env``)."""
    return f"export WFBENCH_CLASS_URL={url} WFBENCH_CLASS_KEY={key}"


__all__ = [
    "DEFAULT_PORT",
    "HOST_ENV",
    "PORT_ENV",
    "Served",
    "class_host",
    "class_port",
    "learner_line",
    "learner_url",
    "serve_class",
]
