"""The HTTP API: ``wfbench serve``, or ``Workbench.serve()`` inside a kernel.

The paths are those of JumpCloud's public workflow API (PRODUCT.md section 5)::

    GET    /api/v2/workflows                    list                       viewer
    POST   /api/v2/workflows                    create (201)               editor
    GET    /api/v2/workflows/runs               list runs (filters)        viewer
    GET    /api/v2/workflows/runs/{run_id}      one run with its steps     viewer
    GET    /api/v2/workflows/{id}               one workflow               viewer
    PUT    /api/v2/workflows/{id}               update, or enable/disable  editor
    DELETE /api/v2/workflows/{id}               delete (204)               editor
    POST   /api/v2/workflows/{id}/runs          start a run (201/202/200)  runner

``{id}`` is a workflow's id or its name (URL-encoded; a name containing ``/``
must be given by id). ``/api/v2/workflows/runs`` is declared before
``/{id}``, so it is never read as a workflow called "runs".

**Why FastAPI (with uvicorn).** The request and response models are pydantic
models, which wfbench already depends on, and FastAPI turns those same models
into the OpenAPI document at ``/openapi.json`` (with the ``x-api-key``
security scheme), so the document cannot drift from the code. Its plain
``def`` endpoints run on a thread pool, which suits the store's blocking
DuckDB calls and the engine's synchronous runs. uvicorn is the usual ASGI
server; its ``Server`` can run on a thread of a Jupyter kernel and be stopped
from outside, which ``Workbench.serve()`` needs. Both are imported only by the
API's modules (this one, :mod:`wfbench.api_routes` with the routes and
:mod:`wfbench.api_support` with the models, problems and body reading), and
``import wfbench`` imports none of them.

**Callers** send ``x-api-key``; keys are made by ``wfbench apikey create`` and
kept as SHA-256 hashes (:meth:`wfbench.store.Store.create_api_key`). A key's
role says what its caller may do: ``viewer`` reads, ``runner`` also starts
runs, ``editor`` also changes definitions. A run records ``started_by =
"api:<key name>"``; what the run itself may do is the workflow's run-as role.

**Refusals** are RFC 9457 ``application/problem+json`` (``type``, ``title``,
``status``, ``detail`` and extra members): 400 a body that is not JSON, 401
no valid key, 403 a role that may not, 404 no such workflow or run, 409 a
disabled workflow (the refused start is kept as ``rejected``), a taken name or
an idempotency key reused with another input, 413 a body over 1 MiB, 422 a
definition or input with problems (every one of them), 503 the store file held
by another process. Anything unexpected is logged and answered 500.

**Starting a run** (``POST …/{id}/runs``, the body is the input JSON):
201 with the run (the shape of ``wfbench show --json``) when it ended within
the request; ``?wait=false`` answers 202 at once with its id and a
``Location``. With an ``Idempotency-Key`` header, a retry with the same key
and input answers **200** with the run the first call started (nothing new
is started), and the same key with another input answers 409.

**The store file** is held only while a request works on it: each request
opens one store session for its key check and its work, and a run started
with ``wait=false`` holds the file until it ends.
"""

import copy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Security
from fastapi.openapi.utils import get_openapi
from fastapi.security import APIKeyHeader

from wfbench import __version__
from wfbench.api_support import (
    MAX_BODY_BYTES,
    PREFIX,
    PROBLEM_JSON,
    ApiProblem,
    Caller,
    install_handlers,
    refuse_unknown_query,
)
from wfbench.errors import WfbenchError
from wfbench.model import Workflow
from wfbench.store import API_KEY_ROLES
from wfbench.workbench import Workbench

__all__ = ["MAX_BODY_BYTES", "ApiServer", "create_app", "serve_forever"]

_RANK = {role: rank for rank, role in enumerate(API_KEY_ROLES)}


# --------------------------------------------------------------------------- the app


def create_app(wb: Workbench, *, classroom: bool = False) -> FastAPI:
    """The API over ``wb``'s store (one app per workbench); ``classroom`` adds the class
    board's routes (:mod:`wfbench.training.routes`)."""
    from wfbench.api_routes import add_routes

    app = FastAPI(
        title="wfbench",
        version=__version__,
        summary="Manual workflows: definitions, runs and their history.",
        description=__doc__.split("**Why FastAPI", 1)[0].strip() if __doc__ else "",
        dependencies=[Depends(refuse_unknown_query)],
    )
    install_handlers(app)
    key_header = APIKeyHeader(
        name="x-api-key",
        auto_error=False,
        description="A key from `wfbench apikey create NAME --role viewer|runner|editor`.",
    )
    store = wb.store

    def caller(need: str) -> Any:
        def check_key(key: Annotated[str | None, Security(key_header)]) -> Iterator[Caller]:
            # One store session for the key check and the request's work.
            with store.session():
                found = store.verify_api_key(key) if key else None
                if found is None:
                    what = "no x-api-key header" if not key else "the x-api-key is not valid"
                    raise ApiProblem(
                        401,
                        "unauthorized",
                        f"{what}; send a key made with `wfbench apikey create`",
                        headers={"WWW-Authenticate": 'ApiKey header="x-api-key"'},
                    )
                if _RANK[found.role] < _RANK[need]:
                    raise ApiProblem(
                        403,
                        "forbidden",
                        f"the key '{found.name}' has role {found.role}; this needs {need} "
                        "or above (a key's role is set when it is made)",
                    )
                yield Caller(found.name, found.role)

        return Depends(check_key, scope="function")

    add_routes(app, wb, caller)
    if classroom:
        from wfbench.training.routes import install_classroom

        install_classroom(app, wb, caller)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the definition schema and problem+json error bodies."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    wf = Workflow.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    schemas.update(wf.pop("$defs", {}))
    write = copy.deepcopy(wf)
    write["title"] = "WorkflowWrite"
    write["description"] = "A wfbench/v1 workflow document, with an optional `enabled`."
    write["properties"]["enabled"] = {"type": "boolean", "description": "Enabled (default true)."}
    schemas["WorkflowWrite"] = write
    schemas["WorkflowEnabled"] = {
        "title": "WorkflowEnabled",
        "type": "object",
        "required": ["enabled"],
        "properties": {"enabled": {"type": "boolean"}},
        "additionalProperties": False,
        "description": "Only `enabled`: enables or disables, with no new version.",
    }
    wf["title"] = "WorkflowDefinition"
    schemas["WorkflowDefinition"] = wf
    schemas["WorkflowOut"]["properties"]["definition"] = {
        "$ref": "#/components/schemas/WorkflowDefinition"
    }
    problem = {"$ref": "#/components/schemas/Problem"}
    for path in doc.get("paths", {}).values():
        for operation in path.values():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if code[0] in "45" and "application/json" in content:
                    content[PROBLEM_JSON] = {"schema": problem}
                    del content["application/json"]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    app.openapi_schema = doc
    return doc


# --------------------------------------------------------------------------- serving


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
                raise WfbenchError(f"the API server at {self.url} did not start: {self._error}")
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
            raise WfbenchError(f"the API server at {self.url} did not stop within {timeout} s")

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
    announce(f"wfbench: serving {wb.store.path} at {url}{PREFIX} (OpenAPI: {url}/openapi.json)")
    app = create_app(wb, classroom=classroom)
    config = uvicorn.Config(app, log_level=log_level, ws="none", lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a foreground server is stopped; uvicorn has shut down by now
    finally:
        sock.close()
