"""The class board over HTTP: ``wfbench serve --class`` or ``wb.serve(classroom=True)``.

::

    POST /api/v2/class/checks    a learner's workflow definition for    learner key (201; 200
                                 one exercise: the board runs the       for the same attempt
                                 hidden cases, records, answers         again)
    GET  /api/v2/class/results   every result, in arrival order         viewer key or above
    GET  /api/v2/class/board     learners × exercises, last attempts    viewer key or above

A check's body is ``{"attempt", "exercise", "definition"}``; the answer is per case
``{"case", "passed", "status", "hint"}`` with the counts, never an input, an expectation
or a failure in words. Refusals are problem documents: 401 without a valid learner key
(a revoked one included), 403 for another kind of key, 413 for a body over
:data:`~wfbench.training.board.MAX_POST_BYTES` (before it is read), 422 for a body of the
wrong shape, an exercise the board has no hidden cases for, or an invalid definition
(every issue), 409 for an attempt id used for another check.

A learner key (``wfl_…``, from :meth:`wfbench.training.ClassBoard.add_learner`) may send
checks and nothing else: :class:`LearnerKeyGate` answers 403 to it on every other path
and method, before any route runs. :func:`class_router` builds the routes as an
``APIRouter``; :func:`install_classroom` adds them and the gate to an app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, FastAPI, Header
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from wfbench.errors import AttemptReused, DefinitionError, UnknownExercise
from wfbench.problems import PROBLEM_JSON, problem_body, replay_body
from wfbench.training.board import (
    CHECKS_PATH,
    CLASS_PREFIX,
    LEARNER_KEY_PREFIX,
    MAX_POST_BYTES,
    RESULTS_PATH,
    CheckPost,
    ClassBoard,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from wfbench.workbench import Workbench


def _problem(status: int, slug: str, detail: str, **extra: Any) -> JSONResponse:
    body = problem_body(status, slug, detail, **extra)  # the API's problem documents
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def class_router(board: ClassBoard, *, viewer: Any = None) -> APIRouter:
    """The class board's routes; ``viewer`` is the dependency that admits the trainer's
    reading keys (the app's own key check), or ``None`` to leave those routes open."""
    router = APIRouter(prefix=CLASS_PREFIX, tags=["class"])
    readers = [viewer] if viewer is not None else []

    @router.post(
        "/checks",
        status_code=201,
        summary="Check a workflow definition against an exercise's hidden cases (learner key)",
    )
    def post_check(
        post: CheckPost, x_api_key: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        learner = board.learner_for_key(x_api_key) if x_api_key else None
        if learner is None:
            if x_api_key and not x_api_key.startswith(LEARNER_KEY_PREFIX):
                return _problem(403, "forbidden", "only a learner key may send checks")
            what = (
                "the learner key is not valid (unknown or revoked)"
                if x_api_key
                else ("no x-api-key header")
            )
            return _problem(401, "unauthorized", f"{what}; send your learner key as x-api-key")
        try:
            answer = board.check(learner, post)
        except UnknownExercise as exc:
            return _problem(422, "unknown-exercise", str(exc))
        except AttemptReused as exc:
            return _problem(409, "attempt-reused", str(exc))
        except DefinitionError as exc:
            issues = [
                {"node": i.node, "field": i.field, "code": i.code, "message": i.message}
                for i in exc.issues
                if i.severity == "error"
            ]
            detail = f"the definition is not valid ({len(issues)} problems); fix and save it"
            return _problem(422, "invalid-definition", detail, issues=issues)
        return JSONResponse(answer, status_code=201 if answer["recorded"] else 200)

    @router.get("/results", dependencies=readers, summary="Every result, in arrival order")
    def list_results() -> list[dict[str, Any]]:
        frame = board.results()
        frame["posted_at"] = frame["posted_at"].astype(str)
        return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]

    @router.get("/board", dependencies=readers, summary="Learners × exercises, last attempts")
    def get_board() -> dict[str, Any]:
        table = board.table()
        return {
            "exercises": [str(c) for c in table.columns],
            "learners": {
                str(learner): dict(zip(map(str, table.columns), map(str, row), strict=True))
                for learner, row in table.iterrows()
            },
        }

    return router


class LearnerKeyGate:
    """Refuse (403) a learner key anywhere but ``POST /api/v2/class/checks``, and refuse
    (413) a body over :data:`~wfbench.training.board.MAX_POST_BYTES` there before reading
    it, key or no key (a declared length over it is refused unread; a body sent without
    one is read only up to the bound)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope.get("headers") or ()
            prefix = LEARNER_KEY_PREFIX.encode()
            learner = any(
                name == b"x-api-key" and value.strip().startswith(prefix) for name, value in headers
            )
            allowed = scope.get("method") == "POST" and scope.get("path") == CHECKS_PATH
            if learner and not allowed:
                detail = f"a learner key may only POST {CHECKS_PATH}"
                await _problem(403, "forbidden", detail)(scope, receive, send)
                return
            if allowed:
                body = await _bounded_body(headers, receive)
                if body is None:
                    detail = (
                        f"the body is larger than {MAX_POST_BYTES} bytes; send one workflow "
                        "definition"
                    )
                    await _problem(413, "body-too-large", detail)(scope, receive, send)
                    return
                receive = replay_body(body, receive)
        await self.app(scope, receive, send)


async def _bounded_body(headers: Any, receive: Receive) -> bytes | None:
    """The whole body, or ``None`` past the bound (declared, or as it arrives)."""
    for name, value in headers:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            if not text.isdigit() or int(text) > MAX_POST_BYTES:
                return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_POST_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def install_classroom(app: FastAPI, wb: Workbench, caller: Callable[[str], Any]) -> ClassBoard:
    """Add the class board to ``app``: its routes, and the gate that confines learner keys.

    ``caller(role)`` is the app's key-check dependency factory (``caller("viewer")``)."""
    board = ClassBoard(wb)
    app.include_router(class_router(board, viewer=caller("viewer")))
    app.add_middleware(LearnerKeyGate)
    return board


__all__ = [
    "CHECKS_PATH",
    "CLASS_PREFIX",
    "RESULTS_PATH",
    "LearnerKeyGate",
    "class_router",
    "install_classroom",
]
