"""Fixtures of the browser suite: one JupyterLab server and one Chromium for the suite
(package scope: they end with tests/e2e/, so Playwright's event loop, which runs in the
main thread while it is open, is gone before any other test; a session scope left it
running under the tests after it, where ``asyncio.run`` then refused to start).

``lab`` starts JupyterLab on a temporary folder that holds a copy of
notebooks/quickstart.ipynb and a store seeded by ``wfbench init --demo``
(``WFBENCH_DB`` points at it, for the server and its kernels); ``browser`` is
Debian's Chromium, headless; ``page`` is a fresh browser context per test with
a tall viewport, and ``console`` collects what that page logs. Screenshots go
to ``$WFBENCH_E2E_SCREENSHOTS`` or tests/e2e/screenshots/ (gitignored), with
the timings (``timings.txt``, ``timings.json``); a failing test leaves a
screenshot of the whole page there too.

Without /usr/bin/chromium the suite is skipped, except in CI (``CI=true``),
where it fails instead: CI must run it.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from .lab import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT,
    VIEWPORT,
    Console,
    LabServer,
    Shots,
    Timings,
)

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "notebooks" / "quickstart.ipynb"
DEFAULT_SHOTS = Path(__file__).resolve().parent / "screenshots"
MACHINE = f"{platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}"

_summary: list[str] = []


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_chromium() -> None:
    """Skip without Chromium; in CI fail instead, since there the suite must run."""
    if CHROMIUM.exists():
        return
    reason = (
        f"{CHROMIUM} is missing: the browser suite drives Debian's Chromium "
        "(apt-get install -y chromium)"
    )
    if _in_ci():
        pytest.fail(f"{reason}; CI is set, so the suite must run", pytrace=False)
    pytest.skip(reason)


_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_failed] = report.failed
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _summary:
        terminalreporter.section("e2e: timings (reported, not asserted)")
        for line in _summary:
            terminalreporter.write_line(line)


@pytest.fixture(scope="package")
def screenshots() -> Shots:
    folder = Path(os.environ.get("WFBENCH_E2E_SCREENSHOTS") or DEFAULT_SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return Shots(folder)


@pytest.fixture(scope="package")
def timings(screenshots: Shots) -> Iterator[Timings]:
    recorded = Timings()
    yield recorded
    if recorded.values:
        path = recorded.write(screenshots.folder, MACHINE)
        _summary.extend([MACHINE, *recorded.lines(), f"written to {path}"])
    _summary.append(f"screenshots in {screenshots.folder}")


@pytest.fixture(scope="package")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab on 127.0.0.1, a free port, no token, a temporary folder and store."""
    require_chromium()
    server = LabServer(tmp_path_factory.mktemp("e2e-lab"))
    server.root.mkdir()
    shutil.copy(QUICKSTART, server.root / QUICKSTART.name)
    wfbench = Path(sys.executable).parent / "wfbench"
    subprocess.run(
        [str(wfbench), "init", "--demo"],
        env={**os.environ, "WFBENCH_DB": str(server.db)},
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="package")
def browser(lab: LabServer) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, screenshots: Shots, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT * 1000)
    # expect() retries its condition; its own default bound is 5 s, too short for a
    # loaded machine (it only matters when the condition never holds)
    expect.set_options(timeout=TIMEOUT * 1000)
    tab = context.new_page()
    slower = float(os.environ.get("WFBENCH_E2E_CPU_SLOWDOWN") or 1)
    if slower > 1:  # a slow or busy machine's browser, to bring races out (see README)
        context.new_cdp_session(tab).send("Emulation.setCPUThrottlingRate", {"rate": slower})
    try:
        yield tab
        if request.node.stash.get(_failed, False):
            screenshots.take(f"FAILED-{request.node.name}", tab)
    finally:
        context.close()


@pytest.fixture
def console(page: Page, screenshots: Shots, request: pytest.FixtureRequest) -> Iterator[Console]:
    """The page's console errors and warnings; written next to the screenshots afterwards."""
    collected = Console()
    collected.attach(page)
    yield collected
    path = screenshots.folder / f"console-{request.node.name}.txt"
    path.write_text("\n".join(collected.report()) + "\n")
