"""Test cases for a workflow, as data: an input, mocks, and what the run must do.

A cases file (``NAME.cases.json`` beside ``NAME.json``) is a JSON list of cases::

    [{"name": "a contractor is offboarded",
      "input": {"email": "ada.lovelace@example.com"},
      "mocks": {"notify_manager": {"output": {"message_id": "m1", "to": "x@example.com",
                                                 "subject": "bye"}},
                "http.request": {"error": "the service is down"}},
      "expect": {"status": "succeeded",
                 "steps": {"suspend": "succeeded", "stop": "skipped",
                           "user": {"output": {"employee_type": "contractor"}}},
                 "output": {"user": {"email": "ada.lovelace@example.com"}},
                 "changes": ["suspends u_0042", "removes u_0042 from g_03"]}}]

A mock is named by a step id (no dot) or an action name (``category.action``); a step's
mock wins over its action's. It replaces the action's *call* only: parameters are still
rendered and checked, and the run-as role still checked, as in a real run.

Expectations compare what the run did with what was expected; each one that does not hold
becomes one sentence naming the step and what differed (:mod:`wfbench.testing.runner`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wfbench.errors import UsageError
from wfbench.model import ActionNode, Node, Workflow, children, parse_json, read_text_file

#: The run statuses a case may expect: ``wfbench.runs.EXPECTED_RUN_STATUSES``, typed (a test
#: keeps the two equal).
RunStatus = Literal["succeeded", "failed", "cancelled", "rejected"]
#: The step statuses a case may expect: ``wfbench.runs.EXPECTED_STEP_STATUSES``, typed.
StepStatus = Literal["succeeded", "failed", "skipped", "simulated"]

#: ``NAME.cases.json`` sits beside ``NAME.json``.
CASES_SUFFIX = ".cases.json"


class Mock(BaseModel):
    """What a mocked call gives instead of running: an ``output`` or an ``error``."""

    model_config = ConfigDict(extra="forbid")

    output: dict[str, Any] | None = None
    """The action's output (checked against its output model, as a real one would be)."""
    error: str | None = None
    """The step fails with this message (retries, ``on_error`` apply as usual)."""

    @model_validator(mode="after")
    def _one_of(self) -> Mock:
        if (self.output is None) == (self.error is None):
            raise ValueError('a mock gives exactly one of "output" or "error"')
        return self


class StepExpect(BaseModel):
    """What one step (every record of it, when a loop ran it several times) must show."""

    model_config = ConfigDict(extra="forbid")

    status: StepStatus | None = None
    output: Any = None
    """A subset of the step's output: listed keys must be there with these values."""
    error: str | None = None
    """Text the step's error must contain."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"status": value} if isinstance(value, str) else value


class Expect(BaseModel):
    """What the run must do."""

    model_config = ConfigDict(extra="forbid")

    status: RunStatus | None = None
    """The run's status."""
    error: str | None = None
    """Text the run's error must contain."""
    output: dict[str, Any] | None = None
    """A subset of the run's output (top-level step id → that step's output)."""
    steps: dict[str, StepExpect] = Field(default_factory=dict)
    """By step id, or by a path's tail such as ``each_group[0].leave``: a status (shorthand)
    or ``{"status", "output", "error"}``."""
    changes: list[str] | None = None
    """Directory changes the run must make, such as ``"suspends u_0042"``."""
    only_changes: bool = False
    """With ``changes``: the run makes no change besides those listed."""


class Case(BaseModel):
    """One test case of a workflow."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    input: dict[str, Any] = Field(default_factory=dict)
    mocks: dict[str, Mock] = Field(default_factory=dict)
    expect: Expect = Field(default_factory=Expect)
    timeout_s: float | None = Field(default=None, gt=0, le=3600)
    """The case's deadline (seconds): past it, its run is cancelled and the case fails
    (default: the ``timeout_s`` given to the check, else 30 s)."""


def _walk(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        out.append(node)
        for _, body in children(node):
            out.extend(_walk(body))
    return out


_PATH_TAIL = re.compile(r"^[a-z][a-z0-9_]*(\[\d+\])?(\.(then|else|[a-z][a-z0-9_]*(\[\d+\])?))*$")


def case_problems(case: Case, workflow: Workflow, actions: set[str]) -> list[str]:
    """What in ``case`` names something ``workflow`` or the catalogue does not have."""
    nodes = {n.id: n for n in _walk(list(workflow.steps))}
    problems = []
    for target in case.mocks:
        if "." in target:
            if target not in actions:
                problems.append(f"mock '{target}': no such action in this workbench")
        elif target not in nodes:
            problems.append(f"mock '{target}': no step with that id in '{workflow.name}'")
        elif not isinstance(nodes[target], ActionNode):
            problems.append(f"mock '{target}': the step is a {nodes[target].kind}, not an action")
    for key in case.expect.steps:
        if key not in nodes and not (_PATH_TAIL.match(key) and key.split(".")[-1] in nodes):
            problems.append(f"expect.steps '{key}': no step with that id in '{workflow.name}'")
    return [f"case '{case.name}': {p}" for p in problems]


def parse_cases(value: Any, *, label: str = "cases") -> list[Case]:
    """Cases from JSON data (a list of case objects); every problem reported at once."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise UsageError(f"{label}: a cases file holds a JSON list of cases")
    cases: list[Case] = []
    problems: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, Case):
            cases.append(item)
            continue
        try:
            cases.append(Case.model_validate(item))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                where = ".".join(str(p) for p in err["loc"])
                problems.append(f"case {i + 1}: {where or 'case'}: {err['msg']}")
    names = [c.name for c in cases]
    problems += [
        f"two cases are named '{n}'" for n in sorted({n for n in names if names.count(n) > 1})
    ]
    if problems:
        raise UsageError(f"{label}: " + "; ".join(problems))
    return cases


def cases_file_for(workflow_file: str | Path) -> Path:
    """Where the cases of a workflow file live: ``NAME.cases.json`` beside ``NAME.json``."""
    path = Path(workflow_file)
    stem = path.name[: -len(".json")] if path.name.endswith(".json") else path.name
    return path.with_name(stem + CASES_SUFFIX)


def workflow_file_for(cases_file: str | Path) -> Path:
    """The workflow file a cases file belongs to."""
    path = Path(cases_file)
    return path.with_name(path.name[: -len(CASES_SUFFIX)] + ".json")


def load_cases(path: str | Path) -> list[Case]:
    """Read a cases file; :class:`~wfbench.errors.UsageError` names what is wrong."""
    text = read_text_file(path)  # regular, UTF-8, bounded: the rule for every file named
    try:
        data = parse_json(text)
    except UsageError as exc:
        raise UsageError(f"{path}: {exc}") from None
    return parse_cases(data, label=str(path))


__all__ = [
    "CASES_SUFFIX",
    "Case",
    "Expect",
    "Mock",
    "RunStatus",
    "StepExpect",
    "StepStatus",
    "case_problems",
    "cases_file_for",
    "load_cases",
    "parse_cases",
    "workflow_file_for",
]
