"""Issue 18.5: every refusal raises its own class from :mod:`wfbench.errors`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from source_trees import parse

import wfbench.errors as errors
from wfbench import Workbench

PACKAGE = Path(errors.__file__).parent


def _raised_names() -> dict[str, list[str]]:
    """``{error class name: [where it is raised]}`` over the package's source."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                name = target.id if isinstance(target, ast.Name) else None
                if isinstance(target, ast.Attribute):
                    name = target.attr
                if name:
                    where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                    found.setdefault(name, []).append(where)
    return found


def test_no_bare_root_error_is_raised() -> None:
    assert _raised_names().get("WfbenchError", []) == []


def _built_names() -> set[str]:
    """Every name called in the package (an error may be built, then raised)."""
    names: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                names.add(node.func.id)
    return names


def test_the_refusals_the_tree_draws_are_raised() -> None:
    raised = set(_raised_names()) | _built_names()
    for name in ("WorkflowDisabled", "StoreClosed", "QueryFailed", "NotPicklable"):
        assert name in raised, f"{name} is drawn in errors.py but never raised"
    assert issubclass(errors.StoreClosed, errors.StoreError)


def test_an_empty_name_is_refused_in_words() -> None:
    wb = Workbench(":memory:")
    with pytest.raises(errors.DefinitionError) as refused:
        wb.create("")
    assert [i.code for i in refused.value.issues] == ["name.missing"]
    assert "name" in str(refused.value)
