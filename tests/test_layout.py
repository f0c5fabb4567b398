"""Tests mirror the layout: every module of wfbench with logic has its own test file, and
every test file names the module it tests.

The rule: ``wfbench/a/b.py`` is tested by ``tests/a/test_b.py``; a top-level module
``wfbench/x.py`` by ``tests/test_x.py``; a package's ``__init__.py`` by
``tests/<parent>/test_<package>.py`` (``wfbench/engine/__init__.py`` ->
``tests/test_engine.py``, ``wfbench/__init__.py`` -> ``tests/test_wfbench.py``); leading
underscores are dropped (``wfbench/_lazy.py`` -> ``tests/test_lazy.py``).

A module "has logic" when it defines a function or method whose body is more than a
docstring, ``pass``, ``...`` or ``raise NotImplementedError`` (see :func:`has_logic`).
Modules without logic (re-exports, plain record models) need no test file: they are named
in :data:`EXEMPT`, each with its reason. A new module with logic comes with its test file.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wfbench"
TESTS = ROOT / "tests"

#: The modules without logic, each with why it needs no test file of its own. Exactly the
#: modules :func:`has_logic` finds nothing in: one that gains logic must leave this list
#: and get its test file.
EXEMPT: dict[str, str] = {
    "wfbench/cli/__main__.py": "`python -m wfbench.cli`: calls main(), nothing else",
    "wfbench/actions/records.py": "pydantic record models: fields and descriptions only",
    "wfbench/widgets/scope.py": "re-exports validation's scope helpers for the widgets",
    "wfbench/api/__init__.py": "re-exports the app factory and server",
    "wfbench/batch/__init__.py": "re-exports the batch runner",
    "wfbench/engine/__init__.py": "re-exports the engine's parts",
    "wfbench/expressions/__init__.py": "re-exports parse/check/evaluate",
    "wfbench/testing/__init__.py": "re-exports cases, runner and report",
    "wfbench/training/__init__.py": "re-exports the class board and exercises",
    "wfbench/workbench/__init__.py": "re-exports the façade and its shapes",
}

#: Test folders that are suites across many modules rather than tests of one module.
CROSS_CUTTING_DIRS: dict[str, str] = {
    "tests/e2e": "the browser suite: JupyterLab driven by Chromium, end to end",
    "tests/security": "the attack corpus: hostile input through every face at once",
    "tests/batches": "run_many end to end: façade, batch runner, engine, a Dask cluster",
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
    "tests/api/test_keys.py": "API keys: store keeping and HTTP checking",
    "tests/cli/test_one_command.py": "one command per invocation over every subcommand",
    "tests/cli/test_smoke.py": "every subcommand's --help and a first run",
    "tests/cli/test_store_once.py": "each command opens the store once",
    "tests/directory/test_sandbox.py": "the directory as a copy-on-write sandbox",
    "tests/store/test_crash.py": "a killed writer leaves a readable store",
    "tests/store/test_fair_turns.py": "fair store turns across serve, the CLI and batches",
    "tests/store/test_history_reads.py": "bounded history reads across store and façade",
    "tests/store/test_sharing.py": "several connections sharing one store file",
    "tests/training/test_training_class.py": "a whole class of learners against one board",
    "tests/training/test_training_exercise.py": "every exercise solved by its solution",
    "tests/directory/test_no_read_twice.py": "a run reads each directory row once, across layers",
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
        if has_logic(module) and not mirror(module).exists()
    ]
    assert not missing, "modules with logic but no test file:\n" + "\n".join(missing)


def test_exempt_is_exactly_the_modules_without_logic() -> None:
    without = {_key(module) for module in modules() if not has_logic(module)}
    assert sorted(set(EXEMPT) - without) == [], "EXEMPT names modules with logic (or gone)"
    assert sorted(without - set(EXEMPT)) == [], "modules without logic missing from EXEMPT"


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


def test_cross_cutting_files_exist_and_mirror_no_module() -> None:
    stale = [name for name in CROSS_CUTTING_FILES if not (ROOT / name).exists()]
    assert not stale, f"CROSS_CUTTING_FILES names files that are gone: {stale}"
    mirrored = {_key(mirror(module)) for module in modules()}
    mirroring = sorted(set(CROSS_CUTTING_FILES) & mirrored)
    assert not mirroring, f"these mirror a module, so are not cross-cutting: {mirroring}"
