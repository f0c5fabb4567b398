"""A learner's side of the class board: send a workflow definition, read the verdict.

:func:`send_check` posts ``{"attempt", "exercise", "definition"}`` with the learner's key
to ``POST /api/v2/class/checks`` (:mod:`wfbench.training.routes`) and gives back the
board's answer, or a sentence saying why there is none. It never raises: a learner's
check always shows something. A failure to reach the board is retried with the same
attempt id, which the board judges and records once.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wfbench.training.board import CHECKS_PATH
from wfbench.training.hidden import CaseOutcome

URL_ENV, KEY_ENV = "WFBENCH_CLASS_URL", "WFBENCH_CLASS_KEY"
#: What a check without a class board says about the hidden cases.
NO_BOARD = (
    "the hidden cases run only on the class board: set WFBENCH_CLASS_URL and "
    "WFBENCH_CLASS_KEY (your trainer gives you both) and check again"
)


@dataclass
class BoardVerdict:
    """The board's answer to one check: the hidden cases' outcomes, or why there are none."""

    note: str
    """How it went, in a sentence."""
    cases: list[CaseOutcome] = field(default_factory=list)
    answered: bool = False
    """The board ran the hidden cases (``cases`` are theirs)."""


def class_settings(env: Mapping[str, str] | None = None) -> tuple[str | None, str | None]:
    """``($WFBENCH_CLASS_URL, $WFBENCH_CLASS_KEY)``, each ``None`` when unset or empty."""
    env = os.environ if env is None else env
    return (env.get(URL_ENV) or None), (env.get(KEY_ENV) or None)


def _refusal(code: int, body: bytes) -> str:
    """The board's problem document in a sentence (its detail, and the first issues)."""
    try:
        problem = json.loads(body)
        detail = str(problem.get("detail") or "")
        issues = [str(i.get("message", "")) for i in problem.get("issues") or []]
    except (ValueError, AttributeError):
        detail, issues = "", []
    more = f": {detail}" if detail else ""
    if issues:
        more += " (" + "; ".join(issues[:5]) + ")"
    return f"the class board refused the check ({code}){more}"


def _verdict(answer: dict[str, Any]) -> BoardVerdict:
    cases = [
        CaseOutcome(
            case=str(c.get("case", "")),
            passed=bool(c.get("passed")),
            status=str(c.get("status", "")),
            hint=str(c.get("hint", "")),
            hidden=True,
        )
        for c in answer.get("cases") or []
    ]
    done = sum(c.passed for c in cases)
    note = f"checked on the class board: {done}/{len(cases)} hidden cases pass"
    return BoardVerdict(note, cases, answered=True)


def send_check(
    exercise: str,
    definition: dict[str, Any],
    attempt: str,
    *,
    url: str | None = None,
    key: str | None = None,
    tries: int = 3,
    timeout: float = 60.0,
) -> BoardVerdict:
    """Send ``definition`` to the class board to be judged by ``exercise``'s hidden cases.

    ``url`` and ``key`` default to ``$WFBENCH_CLASS_URL`` and ``$WFBENCH_CLASS_KEY``;
    without them nothing is sent and the verdict says so (:data:`NO_BOARD`)."""
    env_url, env_key = class_settings()
    url, key = url or env_url, key or env_key
    if not url or not key:
        return BoardVerdict(NO_BOARD)
    body = {"attempt": attempt, "exercise": exercise, "definition": definition}
    request = urllib.request.Request(
        url.rstrip("/") + CHECKS_PATH,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-api-key": key},
        method="POST",
    )
    note = "not sent"
    for attempt_no in range(tries):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return _verdict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            note = _refusal(exc.code, exc.read())
            if exc.code < 500:
                break
        except (urllib.error.URLError, OSError, ValueError) as exc:
            note = f"the class board at {url} could not be reached ({exc}); ask your trainer"
        time.sleep(0.2 * (attempt_no + 1))
    return BoardVerdict(note)


__all__ = ["KEY_ENV", "NO_BOARD", "URL_ENV", "BoardVerdict", "class_settings", "send_check"]
