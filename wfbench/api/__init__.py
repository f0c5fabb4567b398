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
from outside, which ``Workbench.serve()`` needs. Both are imported only by this
package (:mod:`~wfbench.api.app` builds the app, ``routes_*`` hold the routes by
resource, :mod:`~wfbench.api.problems` the refusals, :mod:`~wfbench.api.requests`
body reading and request state, :mod:`~wfbench.api.models` the shapes,
:mod:`~wfbench.api.server` the serving), and ``import wfbench`` imports none of them.

**Callers** send ``x-api-key``; keys are made by ``wfbench apikey create`` and
kept as SHA-256 hashes (:meth:`wfbench.workbench.wb.access.create_key`). A key's
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

from wfbench.api.app import create_app
from wfbench.api.requests import MAX_BODY_BYTES
from wfbench.api.server import ApiServer, serve_forever

__all__ = ["MAX_BODY_BYTES", "ApiServer", "create_app", "serve_forever"]
