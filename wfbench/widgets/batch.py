"""A batch's progress in a notebook: a bar, the counts by status, the Dask dashboard link
beside them and a Cancel button (``Workbench.run_many``'s default display in a kernel).

A blocking ``run_many`` holds the cell, and a kernel runs one message at a time, so the
Cancel button's click would wait in line until the batch had ended. So that Cancel stops
the batch while the cell waits:

* on ipykernel 7 (which has subshells, and no ``Kernel.do_one_iteration`` any more), the
  Cancel button's messages are routed to a subshell of its own: its click is handled on
  that subshell's thread while the main one waits (:func:`_own_subshell`);
* on older kernels the cell serves widget events with ``jupyter-ui-poll`` (the Jupyter
  community's library made for exactly this) while it waits.

Afterwards the returned frame, the bar and history agree
(:meth:`wfbench.batch.Batch.settle`)."""

from __future__ import annotations

import contextlib
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

    def serve_cancel(job: Any) -> Any:
        return wait_serving_widgets(job, cancel)

    update.wait_serving_widgets = serve_cancel  # type: ignore[attr-defined]
    return update


#: How many widget events are served between two looks at the batch.
_EVENTS_PER_LOOK = 20


def _own_subshell(widget: Any) -> Callable[[], None] | None:
    """Route ``widget``'s messages from the front end to a subshell of its own (a thread of
    the kernel), so its clicks are handled while the main thread is busy; the undo.

    None where the kernel has no subshells (ipykernel < 7). This leans on ipykernel's
    subshell manager (``_create_subshell``, the comm's ``_reply_subshell_id`` route): any
    error means "not here", and the caller falls back to ``jupyter-ui-poll``.
    """
    try:
        from IPython import get_ipython

        kernel = get_ipython().kernel
        channel = kernel.shell_channel_thread
        manager = channel.manager
        comm = widget.comm
        made = threading.Event()
        box: list[str] = []

        def make() -> None:
            try:
                box.append(manager._create_subshell())
            finally:
                made.set()

        channel.io_loop.add_callback(make)
        if not made.wait(5.0) or not box:
            return None
        subshell = box[0]
        comm._reply_subshell_id = subshell
    except Exception:
        return None

    def undo() -> None:
        comm._reply_subshell_id = None
        with contextlib.suppress(Exception):
            channel.io_loop.add_callback(lambda: manager._delete_subshell(subshell))

    return undo


def wait_serving_widgets(job: Any, widget: Any = None) -> Any:
    """Block until ``job`` (a started :class:`wfbench.batch.Batch`) ends, serving ``widget``
    (the bar's Cancel) meanwhile; Ctrl-C or a kernel interrupt cancels. Its frame."""
    undo = _own_subshell(widget) if widget is not None else None
    if undo is not None:
        try:
            job.settle()  # the click is handled on the subshell's thread
        finally:
            undo()
        return job.wait()
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
