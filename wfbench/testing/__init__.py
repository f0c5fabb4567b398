"""Workflow tests as code: cases (input, mocks, expectations) run in a sandbox.

A case runs the workflow for real against the store's directory inside a transaction
that is rolled back afterwards, with no history written; mocks replace the calls they
name; an unmocked call that would reach outside the machine fails the case instead of
running. ``Workbench.check``, ``wfbench test`` and the pytest plugin
(:mod:`wfbench.pytest_plugin`) all call :func:`check`.
"""

from wfbench.testing.cases import (
    CASES_SUFFIX,
    Case,
    Expect,
    Mock,
    StepExpect,
    cases_file_for,
    load_cases,
    parse_cases,
    workflow_file_for,
)
from wfbench.testing.report import CaseResult, TestReport
from wfbench.testing.runner import check, run_case
from wfbench.testing.sandbox import MockNeeded, leaves_machine

__all__ = [
    "CASES_SUFFIX",
    "Case",
    "CaseResult",
    "Expect",
    "Mock",
    "MockNeeded",
    "StepExpect",
    "TestReport",
    "cases_file_for",
    "check",
    "leaves_machine",
    "load_cases",
    "parse_cases",
    "run_case",
    "workflow_file_for",
]
