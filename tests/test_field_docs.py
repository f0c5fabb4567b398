"""Field descriptions come from the docstrings under the fields, as pydantic's
``use_attribute_docstrings`` gives them, without pydantic reading each class's source
(wfbench/_field_docs.py; issue 12: start fast)."""

from __future__ import annotations

import importlib
import inspect

import pytest
from pydantic import Field
from pydantic._internal._docs_extraction import extract_docstrings_from_cls

from wfbench._field_docs import Documented
from wfbench.actions.records import Output, Params
from wfbench.actions.registry import BUILTIN_ACTIONS


def _documented() -> list[type[Documented]]:
    """Every model of the format and of the catalogue (the modules that declare them)."""
    for module in ("wfbench.model", *(f"wfbench.actions.{m}" for m in BUILTIN_ACTIONS)):
        importlib.import_module(module)
    found: list[type[Documented]] = []
    stack = list(Documented.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack += cls.__subclasses__()
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


@pytest.mark.parametrize("cls", _documented(), ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_description_is_the_docstring_pydantic_would_read(cls: type[Documented]) -> None:
    expected = extract_docstrings_from_cls(cls, use_inspect=True)
    assert expected or not inspect.get_annotations(cls) or cls in (Params, Output)
    own = inspect.get_annotations(cls)
    for name in own:
        if name in cls.model_fields and name in expected:
            assert cls.model_fields[name].description == expected[name], name


def test_a_custom_model_gets_its_docstrings_and_keeps_a_given_description() -> None:
    class Greeting(Params):
        name: str
        """Who to greet."""

        times: int = 1
        """How often."""

        loud: bool = Field(default=False, description="given")
        """Not this one."""

        limit: int = Field(default=3, ge=1)
        """At least one."""

    class Greeted(Output):
        text: str
        """What was said."""

    fields = Greeting.model_fields
    assert fields["name"].description == "Who to greet."
    assert fields["name"].is_required()
    assert (fields["times"].description, fields["times"].default) == ("How often.", 1)
    assert fields["loud"].description == "given"
    assert fields["limit"].description == "At least one."
    assert Greeting.model_json_schema()["properties"]["limit"]["minimum"] == 1
    assert Greeted.model_fields["text"].description == "What was said."
