"""A batch's progress in a notebook: a bar, the counts by status, the Dask dashboard link
beside them and a Cancel button (``Workbench.run_many``'s default display in a kernel)."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (where a widget can be shown)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def progress_bar(dashboard: str | None) -> Callable[[Any], None]:
    """A callback for :class:`wfbench.batch.Batch`: shows itself on its first call."""
    import ipywidgets as w
    from IPython.display import display

    bar = w.IntProgress(value=0, min=0, max=1, description="batch", bar_style="info")
    label = w.HTML()
    link = w.HTML(
        f'<a href="{html.escape(dashboard)}" target="_blank">Dask dashboard</a>'
        if dashboard
        else ""
    )
    cancel = w.Button(description="Cancel", button_style="warning", icon="stop")
    box = w.HBox([bar, label, link, cancel])
    lock = threading.Lock()
    shown: list[Any] = []

    def update(progress: Any) -> None:
        with lock:
            if not shown:
                cancel.on_click(lambda _b: progress.cancel())
                display(box)  # type: ignore[no-untyped-call]
                shown.append(progress)
            bar.max = max(progress.total, 1)
            bar.value = progress.done
            label.value = html.escape(progress.line())
            if progress.done >= progress.total:
                bar.bar_style = "success" if not progress.cancelled else "warning"
                cancel.disabled = True
            elif progress.cancelled:
                bar.bar_style, cancel.disabled = "warning", True

    return update
