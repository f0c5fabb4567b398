"""The run-as role: it exists, it covers every action, and it is no broader than needed."""

from __future__ import annotations

from wfbench.actions import ActionRegistry
from wfbench.issues import Severity
from wfbench.model import ActionNode, Workflow, iter_nodes
from wfbench.roles import PERMISSIONS, RoleRegistry, breadth, missing_permissions
from wfbench.validation.issues import Issue


def required_permissions(wf: Workflow, actions: ActionRegistry) -> set[str]:
    """Every permission the workflow's known actions need."""
    needed: set[str] = set()
    for node in iter_nodes(wf.steps):
        if isinstance(node, ActionNode):
            spec = actions.find(node.action)
            if spec:
                needed |= spec.permissions
    return needed


def check_role(
    roles: RoleRegistry, run_as: str, required: set[str], narrowest: str | None
) -> list[Issue]:
    """Issues of ``run_as``: unknown, too narrow for the actions, or broader than needed.

    ``narrowest`` is the narrowest built-in role that covers ``required``, if any.
    """
    if run_as not in roles:
        hint = (
            f"'{narrowest}' is the narrowest role that covers every action; " if narrowest else ""
        )
        roles_list = ", ".join(roles.names())
        return [
            _issue("error", "role.unknown", f"no role '{run_as}'; {hint}roles are: {roles_list}")
        ]
    role = roles.get(run_as)
    missing = missing_permissions(role, required)
    if missing:
        fix = (
            f"choose '{narrowest}', the narrowest role that covers every action"
            if narrowest
            else "no built-in role covers them: define a custom role"
        )
        message = f"run_as '{run_as}' lacks {', '.join(missing)}; {fix}"
        return [_issue("error", "role.too_narrow", message)]
    if role.builtin:
        best = roles.get(narrowest) if narrowest else None
        if best is not None and breadth(role) > breadth(best):
            message = (
                f"run_as '{run_as}' grants more than the workflow needs; "
                f"'{narrowest}' is the narrowest role that covers every action"
            )
            return [_issue("warning", "role.broader", message)]
        return []
    extra = [p for p in PERMISSIONS if p in role.permissions and p not in required]
    if extra:  # a custom role is judged by what it grants beyond the actions' needs
        message = (
            f"run_as '{run_as}' grants {', '.join(extra)}, which no action here needs; "
            "remove them from the role or choose a narrower one"
        )
        return [_issue("warning", "role.broader", message)]
    return []


def _issue(severity: Severity, code: str, message: str) -> Issue:
    return Issue.make(severity, code, None, "run_as", message, "/run_as")


__all__ = ["check_role", "required_permissions"]
