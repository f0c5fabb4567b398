"""One problem found in a workflow: the value validation reports and errors carry.

A leaf: it imports nothing of wfbench, so :mod:`wfbench.errors` (whose
:class:`~wfbench.errors.DefinitionError` carries issues), :mod:`wfbench.model`
(which reports unreadable files) and :mod:`wfbench.validation` can all use it
without an import cycle. :class:`~wfbench.validation.Report` and the table of
codes live in :mod:`wfbench.validation.issues`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem found in a workflow.

    ``node`` is the id of the node it is on (``None`` for the workflow itself),
    ``field`` the field within it (``with.email``, ``condition``, ``run_as``),
    ``pointer`` the JSON pointer into the document, and ``position`` the
    0-based offset in the field's text for expression problems.
    """

    severity: Severity
    code: str
    node: str | None
    field: str | None
    message: str
    pointer: str = ""
    position: int | None = None

    @classmethod
    def make(
        cls,
        severity: Severity,
        code: str,
        node: str | None,
        field: str | None,
        message: str,
        pointer: str = "",
        position: int | None = None,
    ) -> Issue:
        """Positional shorthand used throughout the checks."""
        return cls(severity, code, node, field, message, pointer, position)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of PRODUCT.md section 5, plus ``pointer`` and ``position``."""
        out: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "node": self.node,
            "field": self.field,
            "message": self.message,
            "pointer": self.pointer,
        }
        if self.position is not None:
            out["position"] = self.position
        return out

    def describe(self) -> str:
        """A one-line human form: where, then what."""
        where = f"node '{self.node}'" if self.node else "workflow"
        if self.field:
            where += f", {self.field}"
        return f"[{self.code}] {where}: {self.message}"
