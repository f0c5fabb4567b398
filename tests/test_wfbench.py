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

#: The façade's own verbs (issue 18.2: 48 before, at most 20 now); the rest is on its parts.
WORKBENCH = {
    # the store file
    "init",
    "hold",
    "close",
    # the short paths of every day
    "create",
    "validate",
    "save",
    "get",
    "run",
    "run_many",
    "steps",
    "sql",
    "action",
    "add_connector",
    "check",
    # a SCIM directory's copy to prototype on, and the sample back (the rest: wb.directory)
    "snapshot_directory",
    "reset_directory",
    # the doors to the faces
    "overview",
    "canvas",
    "history",
    "serve",
}

#: The named parts, each one class in its own module with a handful of verbs.
PARTS = {
    "workflows": {
        "create",
        "validate",
        "find",
        "info",
        "get",
        "definition",
        "name_free",
        "save",
        "enable",
        "disable",
        "delete",
        "import_files",
        "export",
    },
    # a canvas's unsaved draft and the Test tab's cases, kept in the store (issue 21)
    "drafts": {"keep", "kept", "drop", "save_cases", "cases"},
    "runs": {"get", "steps", "sql", "rerun", "check_input", "export"},
    "catalogue": {"roles", "define_role", "actions", "action", "add_connector"},
    "access": {"create_key", "list_keys", "revoke_key", "verify_key", "keep_open"},
    "directory": {"names", "snapshot", "source", "reset", "plan"},
    "starter": {"start", "prepare", "rehearse", "sandbox", "environment", "running"},
}


def test_the_package_exports_exactly_these_names() -> None:
    assert set(wfbench.__all__) == EXPECTED
    for name in EXPECTED:
        assert hasattr(wfbench, name)


def test_the_workbench_public_methods_are_pinned() -> None:
    public = {n for n in dir(Workbench) if not n.startswith("_")}
    assert public == WORKBENCH
    assert len(WORKBENCH) <= 20


def test_the_parts_and_their_verbs_are_pinned() -> None:
    wb = Workbench(":memory:")
    for part, verbs in PARTS.items():
        public = {n for n in dir(getattr(wb, part)) if not n.startswith("_")}
        assert public == verbs, part
    assert callable(wb.workflows) and callable(wb.runs)  # wb.workflows(), wb.runs(): tables


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
