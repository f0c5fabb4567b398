"""Whole-workflow validation: every problem at once, each on its node and field.

:func:`validate` takes a raw JSON document and returns a :class:`Report` with
every :class:`Issue` (codes in :data:`CODES`). The package, by concern:

* :mod:`~wfbench.validation.issues`: :class:`Report`, :data:`CODES`
* :mod:`~wfbench.validation.structure`: pydantic's errors as issues; broken nodes pruned
* :mod:`~wfbench.validation.checker`: ids, actions and every reference, in run order
* :mod:`~wfbench.validation.params`: an action's parameters
* :mod:`~wfbench.validation.scope`: what a node may read (the one set of rules)
* :mod:`~wfbench.validation.output_types`: types of parameters and outputs, paths through them
* :mod:`~wfbench.validation.expression_kinds`: typed checks (conditions, loop items, parameters)
* :mod:`~wfbench.validation.trigger`: the input schema and its sample
* :mod:`~wfbench.validation.run_as`: the run-as role
* :mod:`~wfbench.validation.inputs`: a run's input, defaults applied and checked

The checker (and ``jsonschema`` behind it) is imported when :func:`validate` first runs,
the other names on first use (PEP 562): a run of a saved workflow needs none of them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wfbench._lazy import on_first_use
from wfbench.actions import ActionRegistry, builtin_registry
from wfbench.errors import WfbenchError
from wfbench.model import Workflow, read_document
from wfbench.roles import RoleRegistry
from wfbench.validation.issues import CODES, Issue, Report, Severity

if TYPE_CHECKING:
    from wfbench.validation.expression_kinds import Kind, fits, kind_of_type
    from wfbench.validation.inputs import InputCheck, apply_defaults, check_input, prepare_input
    from wfbench.validation.scope import references_in_scope, typed_references

#: Names imported on first use, and the module each comes from.
_LAZY = {
    "InputCheck": "wfbench.validation.inputs",
    "apply_defaults": "wfbench.validation.inputs",
    "check_input": "wfbench.validation.inputs",
    "prepare_input": "wfbench.validation.inputs",
    "references_in_scope": "wfbench.validation.scope",
    "typed_references": "wfbench.validation.scope",
    "Kind": "wfbench.validation.expression_kinds",
    "fits": "wfbench.validation.expression_kinds",
    "kind_of_type": "wfbench.validation.expression_kinds",
}


__getattr__ = on_first_use(globals(), _LAZY)


def validate(
    doc: Any,
    *,
    actions: ActionRegistry | None = None,
    roles: RoleRegistry | None = None,
) -> Report:
    """Check a whole workflow document and return every issue found."""
    from wfbench.validation.checker import Checker
    from wfbench.validation.trigger import nesting

    actions = actions if actions is not None else _default_actions()
    roles = roles if roles is not None else RoleRegistry()
    if not isinstance(doc, dict):
        kind = type(doc).__name__
        msg = f"a workflow is a JSON object, not a {kind}; start from `wfbench schema`"
        return Report([Issue.make("error", "workflow.invalid", None, None, msg, "")], None)
    if (
        nesting(doc, MAX_DOCUMENT_NESTING) > MAX_DOCUMENT_NESTING
    ):  # before pydantic or jsonschema recurse into it
        msg = (
            f"the document nests objects and lists more than {MAX_DOCUMENT_NESTING} levels "
            "deep; flatten its values (a deeper one exhausts the checker's stack)"
        )
        return Report([Issue.make("error", "workflow.invalid", None, None, msg, "")], None)
    return Checker(doc, actions, roles).run()


#: JSON nesting a whole definition may have: flows nested MAX_DEPTH deep use ~40 levels.
MAX_DOCUMENT_NESTING = 160


def load_workflow(source: str | Path | dict[str, Any]) -> Workflow:
    """Load and fully validate a workflow from a file path, JSON text or a dict.

    Raises :class:`~wfbench.errors.DefinitionError` listing every error.
    Warnings do not stop a load.
    """
    doc, label = read_document(source)
    report = validate(doc)
    report.raise_for_errors(source=label)
    assert report.workflow is not None
    return report.workflow


@lru_cache(maxsize=1)
def _default_actions() -> ActionRegistry:
    return builtin_registry()


__all__ = [
    "CODES",
    "InputCheck",
    "Issue",
    "Kind",
    "Report",
    "Severity",
    "WfbenchError",
    "apply_defaults",
    "check_input",
    "fits",
    "kind_of_type",
    "load_workflow",
    "prepare_input",
    "references_in_scope",
    "typed_references",
    "validate",
]
