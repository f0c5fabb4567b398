"""A batch's progress in a notebook: a bar, the counts by status, the Dask dashboard link
beside them and a Cancel button (``Workbench.run_many``'s default display in a kernel).

A blocking ``run_many`` holds the cell, and a kernel runs one message at a time, so the
Cancel button's click would wait in line until the batch had ended. While it waits, the
cell serves widget events with ``jupyter-ui-poll`` (the Jupyter community's library made
for exactly this), so Cancel stops the batch; afterwards the returned frame, the bar and
history agree (:meth:`wfbench.batch.Batch.settle`)."""

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

    update.wait_serving_widgets = wait_serving_widgets  # type: ignore[attr-defined]
    return update


#: How many widget events are served between two looks at the batch.
_EVENTS_PER_LOOK = 20


def wait_serving_widgets(job: Any) -> Any:
    """Block until ``job`` (a started :class:`wfbench.batch.Batch`) ends, serving widget
    events meanwhile (the bar's Cancel); Ctrl-C or a kernel interrupt cancels. Its frame."""
    try:
        from jupyter_ui_poll import ui_events
    except ImportError:  # pragma: no cover - a dependency; without it Cancel waits in line
        return job.wait()
    try:
        with ui_events() as poll:
            while not job.settle(0.05):
                poll(_EVENTS_PER_LOOK)
    except KeyboardInterrupt:
        job.cancel()
    job.settle()
    return job.wait()
