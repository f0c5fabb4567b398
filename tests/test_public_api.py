"""The public surface is small and deliberate: a change to it must change this test."""

from __future__ import annotations

import subprocess
import sys

import wfbench
from wfbench.workbench import Workbench

EXPECTED = {
    "ActionError",
    "Case",
    "ClassBoard",
    "Exercise",
    "TestReport",
    "DefinitionError",
    "ExpressionError",
    "InputError",
    "Issue",
    "NotFound",
    "PermissionDenied",
    "Report",
    "RunRejected",
    "StoreBusy",
    "WfbenchError",
    "Workbench",
    "Workflow",
    "__version__",
    "dump_workflow",
    "load_workflow",
    "validate",
}

WORKBENCH = {
    # the store and definitions
    "hold",
    "close",
    "keep_open",
    "init",
    "create",
    "validate",
    "find",
    "name_free",
    "save",
    "get",
    "definition",
    "info",
    "workflows",
    "workflow_rows",
    "enable",
    "disable",
    "delete",
    "import_files",
    "export",
    # runs and history
    "run",
    "rerun",
    "check_input",
    "same_input",
    "find_run",
    "get_run",
    "runs",
    "run_rows",
    "steps",
    "sql",
    # batches
    "run_many",
    "export_history",
    # catalogue
    "roles",
    "role_catalogue",
    "define_role",
    "actions",
    "action_catalogue",
    "action",
    "add_connector",
    # directories: a SCIM directory's snapshot, the sample back, a plan before a real run
    "snapshot_directory",
    "directories",
    "directory_source",
    "plan",
    # notebook views and the HTTP API
    "overview",
    "canvas",
    "history",
    "serve",
    "create_api_key",
    "api_keys",
    "revoke_api_key",
    "verify_api_key",
    # tests and training
    "check",
    "reset_directory",
}


def test_the_package_exports_exactly_these_names() -> None:
    assert set(wfbench.__all__) == EXPECTED
    for name in EXPECTED:
        assert hasattr(wfbench, name)


def test_the_workbench_public_methods_are_pinned() -> None:
    public = {n for n in dir(Workbench) if not n.startswith("_")}
    assert public == WORKBENCH


def test_errors_derive_from_one_root() -> None:
    for name in (
        "DefinitionError",
        "ExpressionError",
        "InputError",
        "NotFound",
        "PermissionDenied",
        "RunRejected",
        "StoreBusy",
    ):
        assert issubclass(getattr(wfbench, name), wfbench.WfbenchError)


def test_import_wfbench_does_not_import_widgets_or_the_web_stack() -> None:
    code = (
        "import sys, wfbench; bad = [m for m in ('ipywidgets', 'ipycytoscape', 'fastapi', "
        "'uvicorn', 'matplotlib') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
