"""What every view shares: display through its root widget, and small HTML helpers.

Views are plain Python objects that *hold* their ipywidgets (``view.widget`` is
the root) rather than subclass them: the attributes a test or a notebook
drives (``ov.add_button``, ``cv.save_button`` …) stay a short, documented list
instead of disappearing among a container's hundreds of traits, and the
library stays type-checked although ipywidgets has no type information.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from datetime import UTC, datetime
from typing import Any

import ipywidgets as w

from wfbench.widgets.typeahead import page_script

#: Colours of run and step statuses (badges and the graph use the same palette).
STATUS_COLOURS = {
    "queued": "#999999",
    "running": "#f1c232",
    "succeeded": "#38761d",
    "failed": "#cc0000",
    "cancelled": "#777777",
    "rejected": "#b45f06",
    "interrupted": "#a64d79",
    "skipped": "#999999",
    "simulated": "#3d85c6",
}


#: Closing or reloading the page while a canvas shows its unsaved bar asks first (the
#: browser's own Leave / Stay: a page may not draw its own buttons there). The draft is kept
#: in the store anyway, and offered when the workflow is opened again. Installed once per page.
LEAVE_GUARD_JS = """
if (!window.__wfbLeaveGuard) {
  window.__wfbLeaveGuard = true;
  window.addEventListener('beforeunload', (event) => {
    const unsaved = [...document.querySelectorAll('.wfb-unsaved')]
      .some((el) => el.isConnected && el.getClientRects().length > 0);
    if (unsaved) { event.preventDefault(); event.returnValue = ''; }
  });
}
"""


def tabs_wanted() -> bool | None:
    """Whether views open in their own JupyterLab tab when displayed: ``$WFBENCH_TABS``
    says so (1) or not (0); unset, ``None``: as the page that shows them answers (see
    :class:`View`)."""
    value = os.environ.get("WFBENCH_TABS", "").strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    return None


def _in_tab(frontend: str) -> bool:
    """Whether a view displayed on the page that answered ``frontend`` opens in a tab."""
    wanted = tabs_wanted()
    return frontend == "jupyterlab" if wanted is None else wanted


class View:
    """A view: ``widget`` is its root; displaying the view displays that widget.

    In JupyterLab a displayed view opens in its own main-area tab (``sidecar``, the
    Jupyter widgets team's output widget for exactly this), with the room of the whole
    tab; elsewhere (Notebook 7, Voilà, a notebook executed without a browser, as by
    nbval) it renders inline. A kernel cannot tell which front end shows it, and a tab
    asked of a front end without JupyterLab's main area would show nothing; so a view
    is first shown inline, beside wfbench's page script, which tells the kernel what
    page it runs in (:attr:`~wfbench.widgets.typeahead.PageScript.frontend`). Answered
    "jupyterlab", the view moves to its tab (and, from then on, views open there at
    once); any other answer, or none, leaves it inline. ``$WFBENCH_TABS`` decides
    instead when set (1: always a tab, 0: always inline); :meth:`in_tab` opens a tab.
    """

    widget: Any
    tab: Any = None
    """The JupyterLab tab the view was opened in (a ``sidecar.Sidecar``), if any."""

    @property
    def tab_title(self) -> str:
        return "wfbench"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        from IPython.display import Javascript, display

        script = page_script()
        if not script.frontend and self.tab is None:
            # Until the page answers, a line; then the view, in its own tab or in place of
            # the line. The view is drawn once, where it stays, and never while the page
            # script starts: anywidget gives a new model 2 s to start, and a large graph
            # drawn meanwhile on a busy machine took them ("Failed to initialize model", an
            # error on the page; the lists do not depend on it: typeahead.ListsHolder).
            holder = w.VBox([_opening(self.tab_title)], layout=w.Layout(width="100%"))
            script.when_answered(lambda frontend: self._answered(frontend, holder))
            display(Javascript(LEAVE_GUARD_JS), script, holder)  # type: ignore[no-untyped-call]
            return
        if _in_tab(script.frontend) and self.tab is None:
            self.in_tab()
            display(_opened(self.tab_title))  # type: ignore[no-untyped-call]
            return
        display(Javascript(LEAVE_GUARD_JS), script, self.widget)  # type: ignore[no-untyped-call]

    def _answered(self, frontend: str, holder: Any) -> None:
        """The page answered: the view opens in its own tab (JupyterLab, unless
        ``$WFBENCH_TABS`` says otherwise) or in place of the line."""
        if self.tab is None and _in_tab(frontend):
            self._open_tab(self.tab_title)
        holder.children = (_opened(self.tab_title),) if self.tab is not None else (self.widget,)

    def in_tab(self, title: str | None = None) -> View:
        """Open the view in its own JupyterLab main-area tab (beside the notebook)."""
        from IPython.display import Javascript, display

        display(Javascript(LEAVE_GUARD_JS), page_script())  # type: ignore[no-untyped-call]
        self._open_tab(title or self.tab_title)
        return self

    def _open_tab(self, title: str) -> None:
        from IPython.display import display
        from sidecar import Sidecar

        self.tab = Sidecar(title=title, anchor="tab-after")
        self.tab.add_class("wfb-tab")
        with self.tab:  # the view alone: the tab lays its outputs side by side
            display(self.widget)  # type: ignore[no-untyped-call]


def _opening(title: str) -> Any:
    """What the notebook shows until the page has said where a view goes."""
    return w.HTML(f"<span style='color:#555'>opening <b>{esc(title)}</b>…</span>")


def _opened(title: str) -> Any:
    """What the notebook shows where a view opened in its own tab."""
    note = f"opened in its own tab, <b>{esc(title)}</b>"
    return w.HTML(f"<span style='color:#555'>{note}</span>")


def badge(status: Any) -> str:
    """A coloured status label as HTML (``—`` for none)."""
    if not isinstance(status, str) or not status:
        return "—"
    colour = STATUS_COLOURS.get(status, "#555555")
    return (
        f'<span style="color:white;background:{colour};border-radius:8px;'
        f'padding:1px 8px;font-size:90%;white-space:nowrap">{html.escape(status)}</span>'
    )


def legend_html(
    statuses: tuple[str, ...] = (
        "running",
        "succeeded",
        "failed",
        "skipped",
        "simulated",
        "cancelled",
        "rejected",
    ),
) -> str:
    """What each status colour means: one badge per status, in a line."""
    return (
        "<div style='font-size:85%;color:#555'>colours: "
        + " ".join(badge(s) for s in statuses)
        + "</div>"
    )


def when(value: Any) -> str:
    """A timestamp as ``YYYY-MM-DD HH:MM:SS UTC`` (stored times are UTC), ``—`` for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    try:
        if value != value:  # NaT
            return "—"
    except (TypeError, ValueError):
        pass
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return str(value.strftime("%Y-%m-%d %H:%M:%S")) + " UTC"
    return str(value)[:19] + " UTC"


def duration(ms: Any) -> str:
    """Milliseconds as a short human duration."""
    if not isinstance(ms, int | float) or isinstance(ms, bool) or math.isnan(ms):
        return "—"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


def short_json(value: Any, limit: int = 80) -> str:
    """A value as compact JSON, cut to ``limit`` characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(markup: str) -> str:
    """The text of an HTML snippet (for error messages raised from a view's notice)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()


def esc(value: Any) -> str:
    return html.escape(str(value))


def for_notebook(text: str) -> str:
    """A message as a notebook user should read it: no CLI commands, no pointer syntax."""
    text = text.replace(
        "enable it (wfbench enable) to run it",
        "switch it on with the Enabled toggle next to Run workflow to run it",
    )
    text = re.sub(r" ?\((?:run )?`?wfbench [^)]*\)", "", text)
    text = text.replace(': add it under "with"', ": fill in its field")
    text = text.replace(': add one under "with"', ": fill in one of those fields")
    return re.sub(r"(^|\s|-\s)/: ", r"\1", text)


def message_html(text: str, kind: str = "info") -> str:
    """A one-line notice: ``info``, ``ok``, ``warning`` or ``error``."""
    colour = {"ok": "#38761d", "warning": "#b45f06", "error": "#cc0000"}.get(kind, "#1d2b3a")
    icon = {"ok": "✔ ", "warning": "⚠ ", "error": "✖ "}.get(kind, "")
    return f'<span style="color:{colour}">{icon}{esc(text)}</span>' if text else ""


def table_html(headers: list[str], rows: list[list[str]], *, raw: bool = False) -> str:
    """A small HTML table; cells are escaped unless ``raw``."""
    head = "".join(
        f"<th style='text-align:left;padding:2px 8px;white-space:nowrap'>{esc(h)}</th>"
        for h in headers
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td style='padding:2px 8px;vertical-align:top'>{c if raw else esc(c)}</td>"
            for c in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table style='border-collapse:collapse;font-size:90%'><tr>{head}</tr>{body}</table>"


def button(description: str, *, style: str = "", icon: str = "", tooltip: str = "") -> Any:
    """A Button sized to its text."""
    return w.Button(
        description=description,
        button_style=style,
        icon=icon,
        tooltip=tooltip or description,
        layout=w.Layout(width="auto"),
    )
