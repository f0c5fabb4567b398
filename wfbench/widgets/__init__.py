"""Notebook views (ipywidgets and ipycytoscape); imported only on demand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wfbench.workbench import Workbench


def overview(wb: Workbench) -> Any:
    raise NotImplementedError("being built")


def canvas(wb: Workbench, name: str | None = None) -> Any:
    raise NotImplementedError("being built")


def history(wb: Workbench, name: str) -> Any:
    raise NotImplementedError("being built")
