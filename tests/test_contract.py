"""Issue 18.3: the layer contract cannot be fooled by what import-linter does not see.

* Nothing outside ``wfbench/workbench/`` reads a private attribute (``._name``) of the
  façade or of its parts (``wb._store``, ``self.wb._catalogue``, ``wb.starter._flight``):
  training, testing, batches and the faces use the façade's public verbs only.
* The engine never loads the store by name at run time (``importlib.import_module``,
  ``__import__``, or a lazy-import table naming ``wfbench.store``).

The import arrows themselves (type-only imports included) are checked by
``lint-imports`` (pyproject.toml, ``[tool.importlinter]``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from source_trees import parse

import wfbench

PACKAGE = Path(wfbench.__file__).parent
#: What the façade and its parts are called where they are used.
FACADE_NAMES = frozenset(
    {"wb", "workbench", "bench", "starter", "workflows", "runs", "catalogue", "access"}
)


def _modules(under: Path) -> Iterator[tuple[str, ast.AST]]:
    for path in sorted(under.rglob("*.py")):
        yield str(path.relative_to(PACKAGE.parent)), parse(path.read_text("utf-8"))


def _receiver(node: ast.expr) -> str | None:
    """The last name of an attribute's receiver (``self.wb`` → ``wb``; ``workbench(args)``
    → ``workbench``)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _receiver(node.func)
    return None


def private_reads(under: Path = PACKAGE) -> list[str]:
    """Every ``<façade or part>._name`` outside wfbench/workbench/, as ``file:line text``."""
    found = []
    for name, tree in _modules(under):
        if name.startswith("wfbench/workbench/"):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and _receiver(node.value) in FACADE_NAMES
            ):
                found.append(f"{name}:{node.lineno} {ast.unparse(node)}")
    return found


def dynamic_store_loads(engine: Path = PACKAGE / "engine") -> list[str]:
    """Every way the engine could load a module by name, and every text naming the store."""
    found = []
    for name, tree in _modules(engine):
        for node in ast.walk(tree):
            where = f"{name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                module = getattr(node, "module", None) or ""
                if "importlib" in names or module.startswith("importlib") or "_lazy" in module:
                    found.append(f"{where} imports a module loader ({ast.unparse(node)})")
            elif isinstance(node, ast.Name) and node.id == "__import__":
                found.append(f"{where} calls __import__")
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.startswith("wfbench.store")
            ):
                found.append(f"{where} names the store: {node.value!r}")
    return found


def test_nothing_below_or_beside_the_facade_reads_its_private_attributes() -> None:
    assert private_reads() == []


def test_the_engine_never_loads_the_store_by_name() -> None:
    assert dynamic_store_loads() == []


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """The two checks fail on the gaps issue 18 found (each planted in a scratch tree)."""
    planted = tmp_path / "wfbench"
    (planted / "training").mkdir(parents=True)
    (planted / "engine").mkdir()
    (planted / "training" / "room.py").write_text(
        "def reset(wb):\n    with wb._store.session() as con:\n        return con\n"
    )
    (planted / "engine" / "sneak.py").write_text(
        "import importlib\n\ndef store():\n    return importlib.import_module('wfbench.store')\n"
    )
    global PACKAGE
    kept, PACKAGE = PACKAGE, planted
    try:
        assert private_reads(planted) == ["wfbench/training/room.py:2 wb._store"]
        assert len(dynamic_store_loads(planted / "engine")) == 2
    finally:
        PACKAGE = kept
