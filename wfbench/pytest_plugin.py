"""pytest plugin (entry point ``pytest11``): workflow cases run with a team's other tests.

Every ``NAME.cases.json`` that pytest meets is collected when ``NAME.json`` sits beside
it, one test item per case, named after the case. Items run in the sandbox of the store
named by ``$WFBENCH_DB`` (or ``./wfbench.duckdb``); when neither exists, in a throwaway
in-memory store seeded with the sample organisation, so CI needs no store file. A failed
case reports its failed expectations, one per line. ``-p no:wfbench`` turns it off.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from wfbench.testing.cases import CASES_SUFFIX, Case, load_cases, workflow_file_for

if TYPE_CHECKING:
    from wfbench.testing.report import CaseResult
    from wfbench.workbench import Workbench

_WORKBENCH = pytest.StashKey["Workbench"]()


def _workbench(config: pytest.Config) -> Workbench:
    """One workbench per pytest session."""
    from wfbench.workbench import Workbench

    found = config.stash.get(_WORKBENCH, None)
    if found is None:
        named = os.environ.get("WFBENCH_DB")
        if named or Path("wfbench.duckdb").is_file():
            found = Workbench(named or "wfbench.duckdb", user="pytest")
        else:
            found = Workbench(":memory:", user="pytest")
            found.init(demo=True)
        config.stash[_WORKBENCH] = found
    return found


class CaseFailed(Exception):
    """A case whose expectations did not all hold."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.case)
        self.result = result


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith(CASES_SUFFIX) and workflow_file_for(file_path).is_file():
        cases_file: pytest.Collector = CasesFile.from_parent(parent, path=file_path)
        return cases_file
    return None


class CasesFile(pytest.File):
    """A ``NAME.cases.json`` file: one item per case."""

    def collect(self) -> Iterator[pytest.Item]:
        for case in load_cases(self.path):
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseItem(pytest.Item):
    """One case of a workflow, run in the sandbox."""

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        wb = _workbench(self.config)
        report = wb.check(workflow_file_for(self.path), [self.case])
        result = report.results[0]
        if not result.passed:
            raise CaseFailed(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, CaseFailed):
            result = excinfo.value.result
            lines = [f"case '{result.case}' failed (the run {result.status}):"]
            return "\n".join(lines + [f"  - {f}" for f in result.failures])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{workflow_file_for(self.path).name}::{self.case.name}"


__all__ = ["CaseFailed", "CaseItem", "CasesFile", "pytest_collect_file"]
