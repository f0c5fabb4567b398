"""Issue 21: ``wfbench app``, the workbench as a web page without code cells (Voilà), on the
same store as the lab, clicked at 1,280 × 800: overview → a workflow's canvas → Run →
its run succeeds → Execution history → back to the overview. Screenshot
``app-01-overview.png`` and ``app-02-run.png``."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .lab import TIMEOUT, Console, LabServer, Shots, Widgets, _children, _end, free_port, wait_until

pytestmark = pytest.mark.e2e

SIZE = {"width": 1280, "height": 800}
NAME = "Offboard contractor"


@pytest.fixture(scope="module")
def app(lab: LabServer) -> Iterator[str]:
    """``wfbench app`` on the lab's store, a free port; stopped by pid (its kernels too)."""
    port = free_port()
    log = (lab.home / "app.log").open("ab")
    wfbench = Path(sys.executable).parent / "wfbench"
    process = subprocess.Popen(
        [str(wfbench), "--db", str(lab.db), "app", "--port", str(port)],
        env=lab.env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"

    def ready() -> bool:
        assert process.poll() is None, (lab.home / "app.log").read_text()[-3000:]
        with (
            contextlib.suppress(urllib.error.URLError, OSError),
            urllib.request.urlopen(url, timeout=2) as response,
        ):
            return bool(response.status == 200)
        return False

    try:
        wait_until(ready, "wfbench app to answer", timeout=TIMEOUT)
        yield url
    finally:
        voila = _children(process.pid)
        kernels = [k for v in voila for k in _children(v)]
        for pid in [process.pid, *voila, *kernels]:
            _end(pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=TIMEOUT)  # reaped: no process left behind
        log.close()


def test_the_app_page_clicks_the_journey(
    app: str, page: Page, console: Console, screenshots: Shots
) -> None:
    page.set_viewport_size(SIZE)
    started = time.monotonic()
    page.goto(app)
    ui = Widgets(page.locator("body"))
    wait_until(lambda: ui.button(NAME).count() > 0, "the overview's workflows on the page")
    assert page.locator(".jp-InputArea, .jp-Cell-inputWrapper").count() == 0  # no code
    screenshots.take("app-01-overview", page)
    ui.click(NAME)
    wait_until(lambda: ui.button("Run workflow").count() > 0, "the canvas")
    ui.click("Run workflow")
    dialog = page.locator(".wfb-dialog")
    dialog.wait_for()
    Widgets(dialog).click("Run")
    wait_until(
        lambda: "succeeded" in dialog.inner_text(),
        "the run to succeed",
        seen=lambda: dialog.inner_text()[-300:],
    )
    screenshots.take("app-02-run", page)
    Widgets(dialog).click("Close")
    ui.click("Execution history")
    wait_until(lambda: "Execution history" in page.inner_text("body"), "the history")
    ui.click("Back to workflows")
    wait_until(lambda: ui.button(NAME).count() > 0, "back on the overview")
    assert time.monotonic() - started < 10 * TIMEOUT  # bounded, not a speed claim
