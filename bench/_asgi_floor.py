"""The API floor: an HTTP endpoint that records a run with one held DuckDB connection.

``python bench/_asgi_floor.py DB PORT [bare|fastapi]`` serves ``POST /runs`` on
127.0.0.1:PORT under uvicorn. Each request, on a connection opened once at start:
``BEGIN``, ``INSERT`` a run row and a step row (copies of the store's first run and
step, with a fresh run id), ``COMMIT``, and answers 201 with the run row as JSON.

``bare`` is a plain ASGI callable (no framework); ``fastapi`` is a FastAPI sync route (run
in its thread pool, the connection behind a lock), to separate the framework's share.
"""

from __future__ import annotations

import json
import sys
import threading
import uuid
from typing import Any

import duckdb
import uvicorn


def recorder(path: str) -> Any:
    con = duckdb.connect(path)
    con.execute("SET TimeZone = 'UTC'")
    run_row = list(con.execute("SELECT * FROM runs LIMIT 1").fetchone() or ())
    names = [d[0] for d in con.description]
    run_id = run_row[0]
    step_row = list(con.execute("SELECT * FROM steps WHERE run_id = ?", [run_id]).fetchone() or ())
    ins_run = f"INSERT INTO runs VALUES ({', '.join('?' * len(run_row))})"
    ins_step = f"INSERT INTO steps VALUES ({', '.join('?' * len(step_row))})"
    lock = threading.Lock()

    def record() -> bytes:
        rid = uuid.uuid4().hex
        with lock:
            run_row[0] = rid
            step_row[0] = rid
            con.execute("BEGIN")
            con.execute(ins_run, run_row)
            con.execute(ins_step, step_row)
            con.execute("COMMIT")
            row = dict(zip(names, run_row, strict=True))
        return json.dumps(row, default=str).encode()

    return record


def bare(path: str) -> Any:
    record = recorder(path)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        body = record()
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def fastapi_app(path: str) -> Any:
    from fastapi import FastAPI, Response

    record = recorder(path)
    app = FastAPI()

    @app.post("/runs", status_code=201)
    def start(payload: dict[str, Any]) -> Response:
        return Response(record(), status_code=201, media_type="application/json")

    @app.get("/ready")
    def ready() -> dict[str, bool]:
        return {"ok": True}

    return app


if __name__ == "__main__":
    db, port = sys.argv[1], int(sys.argv[2])
    kind = sys.argv[3] if len(sys.argv) > 3 else "bare"
    application = bare(db) if kind == "bare" else fastapi_app(db)
    uvicorn.run(application, host="127.0.0.1", port=port, log_level="warning")
