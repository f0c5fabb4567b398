"""Run a workflow's test cases in the sandbox and judge each against its expectations.

:func:`check` is what ``Workbench.check``, ``wfbench test`` and the pytest plugin call.
Each case runs in :mod:`wfbench.testing.sandbox`: the store's directory and history are
exactly as they were afterwards. A failed expectation is one sentence that names the
step (or the run) and what differed: ``step suspend: skipped, expected succeeded``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wfbench.engine import Environment, RunRecord, StepRecord
from wfbench.errors import RunRejected, UsageError
from wfbench.model import Workflow, read_document
from wfbench.testing.cases import (
    Case,
    StepExpect,
    case_problems,
    cases_file_for,
    load_cases,
    parse_cases,
)
from wfbench.testing.changes import normalise
from wfbench.testing.report import CaseResult, TestReport
from wfbench.testing.sandbox import Calls, SandboxDirectory, sandbox_registry

if TYPE_CHECKING:
    from wfbench.workbench import Workbench

WorkflowSource = Workflow | dict[str, Any] | str | Path
CasesSource = Sequence[Case | dict[str, Any]] | str | Path | None


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def subset_differences(expected: Any, actual: Any, where: str) -> list[str]:
    """Where ``actual`` does not hold ``expected`` (objects: the listed keys; lists: item
    by item, same length; anything else: equal, a boolean never equal to a number)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where} is {_short(actual)}, expected an object with {_short(expected)}"]
        out: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{where}.{key} is missing, expected {_short(value)}")
            else:
                out += subset_differences(value, actual[key], f"{where}.{key}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where} is {_short(actual)}, expected {_short(expected)}"]
        return [
            d
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for d in subset_differences(e, a, f"{where}[{i}]")
        ]
    same = expected == actual and isinstance(expected, bool) == isinstance(actual, bool)
    return [] if same else [f"{where} is {_short(actual)}, expected {_short(expected)}"]


def _matching(steps: Iterable[StepRecord], key: str) -> list[StepRecord]:
    if "." not in key and "[" not in key:
        return [s for s in steps if s.node == key]
    return [s for s in steps if s.path == key or s.path.endswith("." + key)]


def _step_failures(key: str, want: StepExpect, steps: list[StepRecord]) -> list[str]:
    found = _matching(steps, key)
    if not found and want.status == "skipped" and want.output is None and want.error is None:
        return []  # a step the run never reached was skipped too
    if not found:
        return [f"step {key} did not run, expected {want.status or 'it to run'}"]
    out: list[str] = []
    for step in found:
        if want.status is not None and step.status != want.status:
            why = f" ({step.error})" if step.error else ""
            out.append(f"step {step.path}: {step.status}{why}, expected {want.status}")
        if want.error is not None and want.error not in (step.error or ""):
            out.append(
                f"step {step.path}: error {_short(step.error)} does not contain {want.error!r}"
            )
        if want.output is not None:
            out += [
                f"step {step.path}: {d}"
                for d in subset_differences(want.output, step.output, "output")
            ]
    return out


def judge(case: Case, run: RunRecord, changes: list[str], calls: Calls) -> list[str]:
    """Every expectation of ``case`` that ``run`` did not meet, as sentences."""
    out = [f"mock needed for step {step}" for step in dict.fromkeys(calls.needed)]
    want = case.expect
    if want.status is not None and run.status != want.status:
        why = f" ({run.error})" if run.error else ""
        out.append(f"the run {run.status}{why}, expected {want.status}")
    if want.error is not None and want.error not in (run.error or ""):
        out.append(f"the run's error {_short(run.error)} does not contain {want.error!r}")
    if want.output is not None:
        out += [f"the run's {d}" for d in subset_differences(want.output, run.output, "output")]
    steps = sorted(run.steps, key=lambda s: s.seq)
    for key, step_want in want.steps.items():
        out += _step_failures(key, step_want, steps)
    if want.changes is not None:
        made = {normalise(c) for c in changes}
        listed = {normalise(c) for c in want.changes}
        seen = ", ".join(changes) or "none"
        out += [
            f"expected the change '{c}', which the run did not make (it made: {seen})"
            for c in want.changes
            if normalise(c) not in made
        ]
        if want.only_changes:
            extra = [c for c in changes if normalise(c) not in listed]
            if extra:
                out.append(f"the run made changes not expected: {', '.join(extra)}")
    return out


def _rejected(case: Case, reason: str) -> CaseResult:
    want = case.expect.status
    failures = [] if want == "rejected" else [f"the run was rejected: {reason}"]
    return CaseResult(case=case.name, passed=not failures, status="rejected", failures=failures)


#: A case's deadline when neither the case nor the check names one (seconds).
DEFAULT_CASE_TIMEOUT_S = 30.0


def run_case(
    wb: Workbench, workflow: Workflow | str, case: Case, *, timeout_s: float | None = None
) -> CaseResult:
    """Run one case in the sandbox (see :mod:`wfbench.testing.sandbox`) and judge it.

    ``workflow``: a saved workflow's name (refused, as any start, when it is disabled) or
    a workflow. The run is started by the workbench's run starter, with the sandbox's own
    environment: the same refusals as any other start, and nothing recorded.

    The case has a deadline (``case.timeout_s``, else ``timeout_s``, else
    :data:`DEFAULT_CASE_TIMEOUT_S`): past it the run is cancelled at its next action and
    the case fails saying so; ``core.wait`` takes no real time in a case."""
    limit = case.timeout_s or timeout_s or DEFAULT_CASE_TIMEOUT_S
    deadline = time.monotonic() + limit
    calls = Calls()
    registry = sandbox_registry(
        wb.catalogue.actions(format="registry"), case.mocks, calls, deadline=deadline
    )
    with wb.starter.sandbox() as con:
        directory = SandboxDirectory(con)
        env = Environment(actions=registry, directory=directory, lock=directory.lock)
        try:
            run = wb.starter.rehearse(workflow, case.input, env, started_by="test")
        except RunRejected as exc:
            details = "; ".join(f"{p or '/'}: {m}" for p, m in exc.problems)
            return _rejected(case, details or str(exc))
        changes = directory.changes()
    failures = judge(case, run, changes, calls)
    if run.status == "cancelled" and time.monotonic() >= deadline:
        failures.insert(0, f"ran past its deadline of {limit:g} s (timeout_s) and was cancelled")
    steps = sorted(run.steps, key=lambda s: s.seq)
    return CaseResult(
        case=case.name,
        passed=not failures,
        status=run.status,
        path=[s.path for s in steps if s.status != "skipped"],
        failures=failures,
        error=run.error,
        changes=changes,
        statuses={s.node: s.status for s in steps},
        mocked=list(dict.fromkeys(calls.mocked)),
    )


def _resolve(wb: Workbench, workflow: WorkflowSource) -> tuple[Workflow, Path | None]:
    """The workflow to test, valid, and the file it came from (if any); a saved one is
    found by its name."""
    if isinstance(workflow, Workflow):
        return workflow, None
    source: Path | None = None
    if isinstance(workflow, Path) or (
        isinstance(workflow, str) and (workflow.endswith(".json") or Path(workflow).is_file())
    ):
        source = Path(workflow)
        doc, label = read_document(source)
    elif isinstance(workflow, str):
        return wb.get(workflow), None
    else:
        doc, label = workflow, str(workflow.get("name") or "workflow")
    report = wb.validate(doc)
    report.raise_for_errors(source=label)
    assert report.workflow is not None
    return report.workflow, source


def _cases(cases: CasesSource, source: Path | None) -> tuple[list[Case], str | None]:
    if cases is None:
        if source is None:
            raise UsageError("give the cases to check (a list, or a cases file)")
        path = cases_file_for(source)
        if not path.is_file():
            raise UsageError(f"no cases for {source}: write them in {path}")
        return load_cases(path), str(path)
    if isinstance(cases, str | Path):
        return load_cases(cases), str(cases)
    return parse_cases(list(cases)), None


def check(
    wb: Workbench,
    workflow: WorkflowSource,
    cases: CasesSource = None,
    *,
    timeout_s: float | None = None,
) -> TestReport:
    """Run ``cases`` against ``workflow`` in the sandbox; the report of every case.

    ``workflow`` is a saved workflow's name, a :class:`~wfbench.model.Workflow`, a document,
    or a file (then ``cases`` defaults to the ``NAME.cases.json`` beside it). Raises
    :class:`~wfbench.errors.DefinitionError` for an invalid workflow and
    :class:`~wfbench.errors.UsageError` for unreadable or inconsistent cases.
    """
    flow, source = _resolve(wb, workflow)
    found, cases_file = _cases(cases, source)
    names = set(wb.catalogue.actions(format="registry").names())
    problems = [p for c in found for p in case_problems(c, flow, names)]
    if problems:
        raise UsageError(f"{cases_file or 'cases'}: " + "; ".join(problems))
    # a saved workflow is started by its name: its state (enabled) counts, as for any run
    target: Workflow | str = workflow if isinstance(workflow, str) and source is None else flow
    with wb.hold():
        results = [run_case(wb, target, case, timeout_s=timeout_s) for case in found]
    return TestReport(
        workflow=flow.name,
        results=results,
        file=str(source) if source else None,
        cases_file=cases_file,
        definition=flow,
    )


__all__ = ["CasesSource", "WorkflowSource", "check", "judge", "run_case", "subset_differences"]
