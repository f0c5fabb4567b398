"""Run As: the role a workflow runs under, with the narrowest sufficient one marked.

The dropdown lists every role and labels the narrowest built-in role that
covers every action in the draft, and why it is the narrowest
(``manager (narrowest: covers users:write, groups:write; also allows …)``). The message next
to it comes from validation's own role issues, so the canvas says exactly what
Save will say: ``role.too_narrow`` (an error: the save is refused) or
``role.broader`` (a warning: allowed, but the role grants more than needed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w

from wfbench.validation import Report
from wfbench.widgets.base import button, message_html


class RunAsPicker:
    """``select`` (the dropdown), ``narrowest_button``, ``message``; ``on_change(role)``."""

    def __init__(self, on_change: Callable[[str], None]) -> None:
        self.on_change = on_change
        self.narrowest: str | None = None
        self._quiet = False
        self.select = w.Dropdown(
            description="Run As", layout=w.Layout(width="auto", max_width="100%", min_width="0")
        )
        self.narrowest_button = button("Use narrowest", icon="compress")
        self.message = w.HTML()
        self.select.observe(self._picked, names="value")
        self.narrowest_button.on_click(lambda _: self._use_narrowest())
        self.widget = w.HBox(
            [self.select, self.narrowest_button, self.message],
            layout=w.Layout(align_items="center", flex_flow="row wrap"),
        )

    def update(self, report: Report, run_as: str, roles: list[str]) -> None:
        """Show ``run_as`` among ``roles``, the narrowest marked, and what validation says."""
        self.narrowest = narrowest = report.narrowest_role
        names = roles if not run_as or run_as in roles else [*roles, run_as]
        why = report.narrowest_reason
        options = [(f"{r} (narrowest: {why})" if r == narrowest else r, r) for r in names]
        self._quiet = True
        if tuple(tuple(o) for o in self.select.options) != tuple(options):
            self.select.options = options
        self.select.value = run_as if run_as in names else None
        self._quiet = False
        issues = [i for i in report.issues if i.code.startswith("role.")]
        if issues:
            self.message.value = message_html(issues[0].message, issues[0].severity)
        elif narrowest:
            self.message.value = message_html(
                f"'{run_as}' is the narrowest role that covers every action", "ok"
            )
        else:
            self.message.value = message_html("no action needs a permission yet")
        self.narrowest_button.disabled = not narrowest or narrowest == run_as

    def _picked(self, change: Mapping[str, Any]) -> None:
        if not self._quiet and change["new"] is not None:
            self.on_change(str(change["new"]))

    def _use_narrowest(self) -> None:
        if self.narrowest:
            self.select.value = self.narrowest
