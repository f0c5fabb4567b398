"""Field descriptions from attribute docstrings, without pydantic reading source per class.

wfbench documents every model field in place: the string under a field is its
description (forms, the catalogue, ``wfbench schema``). pydantic's
``use_attribute_docstrings`` finds that string by walking the stack to the class
statement, tokenizing the class's source and parsing it, for every class: on Python 3.11
that was 20-40 ms of each start (44 classes) for text no run reads.

:class:`Documented` does the same at class creation for a fraction of it: the source of
a wfbench module is parsed once (:func:`module_docs`) and each field's description is set
on its assignment before pydantic collects the fields, by pydantic's own rule (a string
right under an annotated assignment, cleaned as ``inspect.cleandoc`` does; a description
given in ``Field`` wins). A class outside wfbench (a custom action's parameters in a
notebook) is read pydantic's own way. ``tests/test_field_docs.py`` checks that every
model's fields and JSON Schema are what ``use_attribute_docstrings`` gives.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from typing import Any

from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo

_OWN = "wfbench."


@functools.cache
def module_docs(module: str) -> dict[str, dict[str, str]]:
    """Attribute docstrings of every top-level class of ``module``: class -> field -> text."""
    loader: Any = getattr(sys.modules.get(module), "__loader__", None)
    try:
        source = loader.get_source(module) if loader is not None else None
    except (AttributeError, ImportError, OSError):
        source = None
    if not source:
        return {}
    found: dict[str, dict[str, str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            found[node.name] = _class_docs(node)
    return found


def _class_docs(node: ast.ClassDef) -> dict[str, str]:
    """pydantic's DocstringVisitor: a string statement right after ``name: type [= …]``."""
    docs: dict[str, str] = {}
    for before, after in zip(node.body, node.body[1:], strict=False):
        if (
            isinstance(before, ast.AnnAssign)
            and isinstance(before.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[before.target.id] = inspect.cleandoc(after.value.value)
    return docs


def _docs_of(cls: type[Any]) -> dict[str, str]:
    module = cls.__module__
    if module.startswith(_OWN) and "<locals>" not in cls.__qualname__:
        return module_docs(module).get(cls.__name__, {})
    try:  # pydantic's own reading (the class statement found on the stack)
        from pydantic._internal._docs_extraction import extract_docstrings_from_cls
    except ImportError:  # pragma: no cover - pydantic moved it: read the class's source
        return _class_source_docs(cls)
    return extract_docstrings_from_cls(cls)


def _class_source_docs(cls: type[Any]) -> dict[str, str]:  # pragma: no cover
    try:
        tree = ast.parse(inspect.cleandoc(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError):
        return {}
    node = tree.body[0] if tree.body else None
    return _class_docs(node) if isinstance(node, ast.ClassDef) else {}


def describe(cls: type[Any]) -> None:
    """Give each field ``cls`` declares the docstring under it as its description."""
    own = inspect.get_annotations(cls)
    docs = _docs_of(cls) if own else {}
    for name, doc in docs.items():
        annotation = own.get(name)
        if annotation is None or name.startswith("_") or "ClassVar" in str(annotation):
            continue
        value = cls.__dict__.get(name, _MISSING)
        if value is _MISSING:
            setattr(cls, name, Field(description=doc))
        elif isinstance(value, FieldInfo):
            if value.description is None:
                value.description = doc
                value._attributes_set["description"] = doc
        else:
            setattr(cls, name, Field(default=value, description=doc))


_MISSING = object()


class Documented(BaseModel):
    """A model whose fields are described by the docstrings under them (see the module)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        describe(cls)
        super().__init_subclass__(**kwargs)
