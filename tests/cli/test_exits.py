"""The one table from errors to exit codes (PRODUCT.md section 5)."""

from __future__ import annotations

from wfbench.cli.exits import EXIT_CODES, exit_code
from wfbench.errors import (
    DefinitionError,
    IdempotencyConflict,
    NameTaken,
    NotFound,
    RunRejected,
    StoreBusy,
    UsageError,
    WfbenchError,
    WorkflowDisabled,
)


def test_each_error_class_has_its_exit_code() -> None:
    assert exit_code(StoreBusy("busy")) == 4
    assert exit_code(RunRejected("no", run_id="run_1")) == 3
    assert exit_code(WorkflowDisabled("off", run_id="run_1")) == 3
    assert exit_code(UsageError("bad")) == 2
    assert exit_code(NotFound("none")) == 2
    assert exit_code(DefinitionError([], source="x")) == 1
    assert exit_code(NameTaken("taken", name="x")) == 1
    assert exit_code(IdempotencyConflict("again")) == 1
    assert exit_code(WfbenchError("any")) == 1


def test_the_table_ends_with_the_root_so_every_error_has_a_code() -> None:
    assert EXIT_CODES[-1] == (WfbenchError, 1)
