"""A loopback HTTP proxy in front of the real SCIM server, to make the network fail on
purpose: answer 429/503 with ``Retry-After``, or forward a request and then drop the
connection without answering (killing the server first, by its PID). It logs every
request it receives, with its headers, and counts those it forwarded."""

from __future__ import annotations

import http.client
import http.server
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    """What to do with the requests matching ``method`` and a path starting with ``path``."""

    method: str
    path: str
    status: int | None = None
    """Answer this status instead of forwarding (429, 503, 401 …)."""
    retry_after: str | None = None
    times: int = 1
    """How many matching requests get the fault (then they pass)."""
    drop: bool = False
    """Forward, then call ``on_drop`` and close without answering."""
    on_drop: Callable[[], None] | None = None


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    forwarded: bool = False


@dataclass
class Proxy:
    upstream: str
    faults: list[Fault] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def forwarded(self, method: str, path: str = "") -> int:
        return sum(1 for s in self.seen if s.forwarded and s.method == method and path in s.path)

    def received(self, method: str, path: str = "") -> int:
        return sum(1 for s in self.seen if s.method == method and path in s.path)


def _handler(proxy: Proxy, lock: threading.Lock) -> type[http.server.BaseHTTPRequestHandler]:
    up = urllib.parse.urlsplit(proxy.upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            fault = None
            with lock:
                proxy.seen.append(seen)
                for f in proxy.faults:
                    if (
                        f.times > 0
                        and f.method == self.command
                        and self.path.startswith(up.path + f.path)
                    ):
                        f.times -= 1
                        fault = f
                        break
            if fault is not None and fault.status is not None:
                payload = b'{"detail": "not now"}'
                self.send_response(fault.status)
                if fault.retry_after is not None:
                    self.send_header("Retry-After", fault.retry_after)
                self.send_header("Content-Type", "application/scim+json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            con = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            con.request(self.command, self.path, body=body or None, headers=headers)
            answer = con.getresponse()
            data = answer.read()
            con.close()
            seen.forwarded = True
            if fault is not None and fault.drop:
                if fault.on_drop is not None:
                    fault.on_drop()
                self.close_connection = True
                return  # no answer at all: the client sees the connection closed
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

    return Handler


@contextmanager
def proxy_to(upstream: str) -> Iterator[Proxy]:
    """A proxy on a free port of 127.0.0.1 to ``upstream`` (``http://host:port/v2``)."""
    proxy = Proxy(upstream)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy, threading.Lock()))
    server.daemon_threads = True
    path = urllib.parse.urlsplit(upstream).path
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
