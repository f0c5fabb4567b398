"""What validation returns: a :class:`Report` of issues, and the table of every code.

:class:`Issue` itself is the leaf :mod:`wfbench.issues` (errors and the model
use it too); it is re-exported here. :data:`CODES` is the one table of issue
codes: a check that reports a new code adds it here, and a test holds every
reported code to the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from wfbench.errors import DefinitionError
from wfbench.issues import Issue, Severity
from wfbench.model import Workflow

#: Every issue code, with what it means. Codes are stable: surfaces and users match on them.
CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "workflow.invalid": "the document is not a JSON object",
        "format.unknown": "`format` is not `wfbench/v1`",
        "type.unknown": "`type` is not `manual`",
        "name.missing": "the workflow has no (non-blank) name",
        "name.invalid": "a name with control, bidirectional-control or separator characters",
        "field.missing": "a required field is absent",
        "field.unknown": "a field the format does not have",
        "field.invalid": "a field of the wrong type or out of range",
        "node.kind": "a node's `kind` is missing or unknown",
        "id.invalid": "a node id that is not `[a-z][a-z0-9_]*`",
        "id.duplicate": "a node id used more than once",
        "action.unknown": "an action that is not in the catalogue",
        "param.missing": "a required action parameter is absent",
        "param.unknown": "a parameter the action does not take",
        "param.one_of": "none of a set of alternative parameters is given",
        "param.type": "a literal parameter value of the wrong type",
        "expr.syntax": "an expression that does not parse",
        "expr.unsafe": "an expression that uses something refused",
        "ref.unknown_input": "`input.X` where the input schema has no `X`",
        "ref.unknown_step": "`steps.X` where no step `X` exists",
        "ref.self": "a step that reads its own output",
        "ref.not_yet_run": "a step that reads a step that runs later",
        "ref.other_branch": "a step that reads the other branch of the same if-else",
        "ref.out_of_scope": "a loop variable or loop body step read outside its loop",
        "ref.unknown_field": "an output field the referenced action does not return",
        "ref.unknown_name": "a name that is not in scope",
        "ref.maybe_skipped": "(warning) reads a step that may have been skipped",
        "type.condition": "an if-else condition that is not one true/false expression",
        "type.items": "loop items that are not one list expression",
        "type.param": "a reference whose type does not fit the parameter it fills",
        "loop.unbounded": "a loop without `max_iterations`",
        "loop.bound": "`max_iterations` or `concurrency` out of range",
        "loop.as": "a loop variable name that clashes or is not a name",
        "loop.too_many": "a literal `items` list longer than `max_iterations`",
        "limits.nodes": "more nodes than :data:`~wfbench.model.MAX_NODES`",
        "limits.depth": "flows nested deeper than :data:`~wfbench.model.MAX_DEPTH`",
        "schema.invalid": "the input schema is not a valid JSON Schema",
        "schema.sample": "the sample input does not satisfy the input schema",
        "schema.ref": "a `$ref`/`$dynamicRef` outside the schema, an `$id`, or a dangling ref",
        "schema.pattern": "a `pattern` that cannot run in linear time (RE2 refuses it)",
        "role.missing": "no `run_as`",
        "role.unknown": "`run_as` names no role",
        "role.too_narrow": "`run_as` lacks permissions some action needs",
        "role.broader": "(warning) `run_as` is broader than needed",
        "file.unreadable": "the file cannot be read",
        "file.json": "the file is not valid JSON",
    }
)


@dataclass
class Report:
    """The outcome of :func:`validate`: every issue, and the model when it parsed."""

    issues: list[Issue]
    workflow: Workflow | None
    required_permissions: frozenset[str] = frozenset()
    narrowest_role: str | None = None
    narrowest_reason: str = ""
    """Why the narrowest role is the narrowest, in words ("covers users:read; nothing else…")."""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings do not block a save)."""
        return not self.errors

    def raise_for_errors(self, *, source: str = "workflow") -> None:
        """Raise :class:`DefinitionError` with every issue when any is an error."""
        if not self.valid:
            raise DefinitionError(self.issues, source=source)


def dotted(path: Iterable[int | str]) -> str:
    """A path as an issue's ``field`` names it: ``with.email``, ``items[0].id``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


__all__ = ["CODES", "Issue", "Report", "Severity", "dotted"]
