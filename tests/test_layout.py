"""Tests mirror the layout: every module of wfbench with logic has its own test file, and
every test file names the module it tests.

The rule: ``wfbench/a/b.py`` is tested by ``tests/a/test_b.py``; a top-level module
``wfbench/x.py`` by ``tests/test_x.py``; a package's ``__init__.py`` by
``tests/<parent>/test_<package>.py`` (``wfbench/engine/__init__.py`` ->
``tests/test_engine.py``, ``wfbench/__init__.py`` -> ``tests/test_wfbench.py``); leading
underscores are dropped (``wfbench/_lazy.py`` -> ``tests/test_lazy.py``).

A module "has logic" when it defines a function or method whose body is more than a
docstring, ``pass``, ``...`` or ``raise NotImplementedError`` (see :func:`has_logic`).
Modules without logic (re-exports, constants, plain data classes) need no test file; the
few trivial ones that would otherwise count are in :data:`EXEMPT`, each with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wfbench"
TESTS = ROOT / "tests"

#: Modules with a function in them that is no logic of their own, and why.
EXEMPT: dict[str, str] = {
    "wfbench/cli/__main__.py": "`python -m wfbench.cli`: calls main(), nothing else",
}

#: Test folders that are suites across many modules rather than tests of one module.
CROSS_CUTTING_DIRS: dict[str, str] = {
    "tests/e2e": "the browser suite: JupyterLab driven by Chromium, end to end",
    "tests/security": "the attack corpus: hostile input through every face at once",
    "tests/scim": "SCIM 2.0 directories against a real SCIM server, across directory/actions",
}

#: Test files that test a behaviour across modules, not one module, and why.
CROSS_CUTTING_FILES: dict[str, str] = {
    "tests/test_contract.py": "the layer contracts of STYLE.md, over the whole package",
    "tests/test_imports.py": "what each entry point imports, over the whole package",
    "tests/test_processes.py": "several processes sharing one store file",
    "tests/test_engine_memory.py": "memory bounds of long runs: engine, store and façade",
    "tests/test_action_handlers.py": "every built-in action handler on a seeded directory",
    "tests/api/test_hostile_inputs.py": "bad input through every route of the HTTP API",
    "tests/api/test_openapi.py": "the OpenAPI document and schemathesis over all routes",
    "tests/api/test_keys.py": "API keys: CLI issuing, store keeping, HTTP checking",
    "tests/cli/test_one_command.py": "one command per invocation over every subcommand",
    "tests/cli/test_smoke.py": "every subcommand's --help and a first run",
    "tests/cli/test_store_once.py": "each command opens the store once",
    "tests/directory/test_ids.py": "id formats shared by every directory table",
    "tests/directory/test_sandbox.py": "the directory as a copy-on-write sandbox",
    "tests/store/test_crash.py": "a killed writer leaves a readable store",
    "tests/store/test_history_reads.py": "bounded history reads across store and façade",
    "tests/store/test_sharing.py": "several connections sharing one store file",
    "tests/testing/test_testing_cli.py": "`wfbench test` end to end (cli + testing)",
    "tests/testing/test_testing_plugin.py": "the pytest plugin collecting NAME.cases.json",
    "tests/testing/test_testing_sandbox.py": "workflow tests in a sandboxed store",
    "tests/testing/test_testing_widget.py": "the test panel widget over the runner",
    "tests/training/test_training_class.py": "a whole class of learners against one board",
    "tests/training/test_training_exercise.py": "every exercise solved by its solution",
    "tests/batches/test_batch.py": "run_many end to end: façade, batch runner, engine",
    "tests/batches/test_cluster.py": "run_many on a real Dask cluster",
    "tests/batches/test_deadlines.py": "deadlines across batch runner and engine",
    "tests/batches/test_unpicklable.py": "batches refused before a row runs",
    "tests/test_widgets_builder.py": "the builder widgets together (canvas, forms, palette)",
    "tests/test_widgets_parts.py": "the smaller widgets together (fields, picker, schema)",
}


def _is_trivial(body: list[ast.stmt]) -> bool:
    """A body that does nothing: a docstring, ``pass``, ``...`` or NotImplementedError."""
    for statement in body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring or ``...``
        if isinstance(statement, ast.Raise) and "NotImplementedError" in ast.unparse(statement):
            continue
        return False
    return True


def has_logic(path: Path) -> bool:
    """Whether the module defines a function or method that does something."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not _is_trivial(node.body)
        for node in ast.walk(tree)
    )


def mirror(module: Path) -> Path:
    """The test file that mirrors ``module`` (a path under wfbench/)."""
    relative = module.relative_to(PACKAGE)
    if relative.name == "__init__.py":
        package = relative.parent
        parent, name = (package.parent, package.name) if package.parts else (Path(), "wfbench")
    else:
        parent, name = relative.parent, relative.stem
    return TESTS / parent / f"test_{name.lstrip('_')}.py"


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _key(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_rule_maps_modules_to_test_files() -> None:
    assert _key(mirror(PACKAGE / "validation" / "inputs.py")) == "tests/validation/test_inputs.py"
    assert _key(mirror(PACKAGE / "model.py")) == "tests/test_model.py"
    assert _key(mirror(PACKAGE / "engine" / "__init__.py")) == "tests/test_engine.py"
    assert _key(mirror(PACKAGE / "__init__.py")) == "tests/test_wfbench.py"
    assert _key(mirror(PACKAGE / "_lazy.py")) == "tests/test_lazy.py"


def test_has_logic_tells_code_from_declarations(tmp_path: Path) -> None:
    declared = tmp_path / "declared.py"
    declared.write_text(
        '"""Doc."""\nfrom x import y\nA = 1\nclass B:\n    c: int\n'
        "    def d(self) -> None:\n        '''Doc.'''\n        ...\n"
    )
    acting = tmp_path / "acting.py"
    acting.write_text("def f(x: int) -> int:\n    return x + 1\n")
    assert not has_logic(declared)
    assert has_logic(acting)


def test_every_module_with_logic_has_its_mirrored_test_file() -> None:
    missing = [
        f"{_key(module)}: no {_key(mirror(module))}"
        for module in modules()
        if has_logic(module) and _key(module) not in EXEMPT and not mirror(module).exists()
    ]
    assert not missing, "modules with logic but no test file:\n" + "\n".join(missing)


def test_exemptions_are_real_modules_without_tests() -> None:
    stale = [name for name in EXEMPT if not (ROOT / name).exists()]
    assert not stale, f"EXEMPT names modules that are gone: {stale}"


def test_every_test_file_mirrors_a_module() -> None:
    mirrored = {mirror(module) for module in modules()}
    strays = []
    for test_file in sorted(TESTS.rglob("test_*.py")):
        key = _key(test_file)
        if any(part == "fixtures" for part in test_file.relative_to(TESTS).parts):
            continue
        if any(key.startswith(folder + "/") for folder in CROSS_CUTTING_DIRS):
            continue
        if key in CROSS_CUTTING_FILES or test_file == Path(__file__).resolve():
            continue
        if test_file not in mirrored:
            strays.append(f"{key}: tests no module (wfbench/.../{test_file.stem[5:]}.py)")
    assert not strays, "test files that mirror no module:\n" + "\n".join(strays)


def test_cross_cutting_files_exist() -> None:
    stale = [name for name in CROSS_CUTTING_FILES if not (ROOT / name).exists()]
    assert not stale, f"CROSS_CUTTING_FILES names files that are gone: {stale}"
