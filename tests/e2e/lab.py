"""The e2e suite's harness: a JupyterLab server, Chromium pages, and what a person sees there.

- :class:`LabServer` starts ``jupyter lab`` from this virtual environment on
  127.0.0.1 and a free port, without a token, on a temporary notebook folder
  and a temporary store (``WFBENCH_DB``), with its configuration, settings and
  workspaces in the same temporary folder; :meth:`LabServer.stop` terminates
  it, kills it if it does not exit, and ends any kernel it left behind (by pid).
- :class:`Console` collects the page's console errors and warnings and its
  uncaught exceptions; :data:`ALLOWED` names the few that are expected, each
  with its reason.
- :class:`Notebook` opens a notebook, runs all its cells through the menu bar,
  waits for them, and finds a cell's output.
- :class:`Widgets` finds the ipywidgets inside one output the way a person
  does: a button by its text, a field by its label.
- :func:`graphs` asks the cytoscape.js instances inside an output what they
  show (cytoscape keeps its instance on its container element, ``el._cyreg.cy``);
  :func:`click_node` clicks a node where it is drawn.
- :class:`Shots` writes screenshots, :class:`Timings` records timings.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Error, Locator, Page

#: Debian's Chromium; ``playwright install`` is not needed (nor possible offline).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: A tall viewport keeps a whole canvas (graph, side panel, run dialog) in one screenshot.
VIEWPORT = {"width": 1400, "height": 1800}
#: Every wait is bounded by this (seconds). It only matters when the awaited thing never
#: happens: a loaded machine (the rest of ``make test`` beside the browser) is slow, not
#: wrong, and no wait here stands for "long enough for it to be rendered".
TIMEOUT = 120.0

#: Console messages that are expected, each with the reason it is harmless.
ALLOWED: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"Unsatisfied version .* of shared singleton module @jupyter-widgets/base"),
        "ipycytoscape 1.3.3 declares @jupyter-widgets/base ^1.1.10 || ^2 || ^3 || ^4 and "
        "JupyterLab 4 shares 6.x, which it works with; webpack's module federation only warns",
    ),
    (
        re.compile(r"You have set a custom wheel sensitivity"),
        "cytoscape.js 3.21 warns whenever wheelSensitivity is defined, whatever its value, and "
        "ipycytoscape always passes its trait (cytoscape's own wheel zoom is off in wfbench: "
        "the wheel scrolls the page, Ctrl+wheel zooms through wfbench's graph_wheel.js)",
    ),
    (
        re.compile(
            r"^console\.warning: Plugin \S+ (is taking too long to activate\."
            r"|\(with \d+ dependants\) took [\d.]+ms to activate\.)$"
        ),
        "Lumino's plugin registry warns when a JupyterLab plugin is slow to activate: a "
        "statement about how loaded the machine is (seen at a load of 14-16 on 2 cores), "
        "not about the page; the suite must pass on such a machine",
    ),
]

#: What the notebook front end shows instead of a widget it cannot draw.
WIDGET_ERRORS = ("Error displaying widget", "Model not found")


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (the kernels a server started), from /proc."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1 and fields[1] == str(pid):
            out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie has exited: its parent (gone) will not reap it, init will
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def _end(pid: int, grace: float = 5.0) -> None:
    """SIGTERM a process we started, then SIGKILL it if it is still there after ``grace``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.1)


@dataclass
class LabServer:
    """JupyterLab on 127.0.0.1, no token, on ``root`` (notebooks) and ``db`` (the store)."""

    home: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    kernels: list[int] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.home / "notebooks"

    @property
    def db(self) -> Path:
        return self.home / "wfbench.duckdb"

    @property
    def log_path(self) -> Path:
        return self.home / "jupyter-lab.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The environment of the server and its kernels: this venv, this store, no user config."""
        env = dict(os.environ)
        bin_dir = str(Path(sys.executable).parent)
        env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
        env["WFBENCH_DB"] = str(self.db)
        env["JUPYTER_CONFIG_DIR"] = str(self.home / "jupyter-config")
        env["JUPYTER_RUNTIME_DIR"] = str(self.home / "jupyter-runtime")
        env["IPYTHONDIR"] = str(self.home / "ipython")
        env.pop("JUPYTER_TOKEN", None)
        return env

    def command(self) -> list[str]:
        args = [
            str(Path(sys.executable).parent / "jupyter"),
            "lab",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            "--no-browser",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={self.home / 'lab-settings'}",
            f"--LabApp.workspaces_dir={self.home / 'lab-workspaces'}",
        ]
        if os.geteuid() == 0:
            args.append("--allow-root")  # JupyterLab exits at once as root without it
        return args

    def write_settings(self) -> None:
        """Lab settings for a quiet, predictable page: no news prompt, every cell in the DOM."""
        settings = {
            "@jupyterlab/apputils-extension/notification": {
                "fetchNews": "false",
                "checkForUpdates": False,
            },
            # the default windowing may detach cells that are off screen
            "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        }
        for name, value in settings.items():
            path = self.home / "lab-settings" / f"{name}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))

    def start(self) -> None:
        self.write_settings()
        for _ in range(3):  # a free port can be taken between finding it and binding it
            self.port = free_port()
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    self.command(),
                    env=self.env(),
                    cwd=self.root,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            if self._wait_ready():
                return
            self.stop()
        raise RuntimeError(f"JupyterLab did not start; its log:\n{self.log_tail()}")

    def _wait_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        return False

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Terminate the server, kill it if it does not exit, end kernels it left behind."""
        process, self.process = self.process, None
        if process is None:
            return
        self.kernels = _children(process.pid)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        for pid in self.kernels:
            if _alive(pid):
                _end(pid)


# --------------------------------------------------------------------------- the page


@dataclass
class Console:
    """The page's console errors and warnings, and its uncaught exceptions."""

    messages: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", self._page_error)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.messages.append(f"console.{message.type}: {message.text}")

    def _page_error(self, error: Error) -> None:
        self.messages.append(f"uncaught {error.name}: {error.message}")

    def add_kernel_log(self, entries: list[tuple[str, str]]) -> None:
        """Add what the kernel printed outside cells (:meth:`Notebook.kernel_log`), by line."""
        for mime, text in entries:
            if mime == "application/vnd.jupyter.error":
                self.messages.append(f"kernel error: {text}")
                continue
            kind = "stderr" if mime.endswith("stderr") else "output"
            self.messages += [
                f"kernel {kind}: {line}" for line in text.splitlines() if line.strip()
            ]

    def allowed(self, message: str) -> str | None:
        """Why ``message`` is allowed, or None."""
        return next((why for pattern, why in ALLOWED if pattern.search(message)), None)

    def problems(self) -> list[str]:
        """Every message that is not allowed."""
        return [m for m in self.messages if self.allowed(m) is None]

    def report(self) -> list[str]:
        """Every kind of message once, with its count, each allowed one with its reason."""
        if not self.messages:
            return ["(no console errors or warnings, nothing logged by the kernel)"]
        counts: dict[str, int] = {}
        for message in self.messages:
            key = re.sub(r"[0-9a-f]{32}", "<id>", message)
            counts[key] = counts.get(key, 0) + 1
        out = []
        for message, n in counts.items():
            why = self.allowed(message.replace("<id>", "0" * 32))
            out.append(f"{'allowed' if why else 'PROBLEM'} ({n}x): {message}")
            if why:
                out.append(f"    because {why}")
        return out


def wait_until(
    check: Callable[[], Any],
    what: str,
    *,
    timeout: float = TIMEOUT,
    every: float = 0.1,
    seen: Callable[[], str] | None = None,
) -> Any:
    """Call ``check`` until it returns something truthy; fail saying ``what`` did not happen
    (and, with ``seen``, what there was instead)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            instead = f"; instead: {seen()}" if seen is not None else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{instead}")
        time.sleep(every)


#: The notebook's panel, found by its tab's label (``name``) rather than by being the one on
#: show: the workbench's views open in tabs of their own, in front of the notebook.
PANEL_JS = """
const panelOf = (path) => {
  const name = path.split('/').pop();  // a tab shows the file's name
  const tab = [...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab')]
    .find((t) => (t.querySelector('.lm-TabBar-tabLabel') || {}).textContent === name);
  return tab ? document.getElementById(tab.dataset.id) : null;
};
"""
PROMPTS_DONE_JS = f"""
(name) => {{
  {PANEL_JS}
  const panel = panelOf(name);
  if (!panel) return false;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map((p) => p.textContent.trim());
  return prompts.length > 0 && prompts.every((t) => /^\\[\\d+\\]:$/.test(t));
}}
"""
KERNEL_IDLE_JS = """
() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
  .some((t) => /^(?!No Kernel).*\\| Idle$/.test(t.textContent.trim()))
"""
ALL_QUEUED_JS = f"""
(name) => {{
  {PANEL_JS}
  const panel = panelOf(name);
  return !!panel && [...panel.querySelectorAll('.jp-CodeCell')].every(
    (c) => /^\\[(\\*|\\d+)\\]:$/.test(c.querySelector('.jp-InputPrompt').textContent.trim()));
}}
"""
STARTED_JS = f"""
(name) => {{
  {PANEL_JS}
  const panel = panelOf(name);
  return !!panel && [...panel.querySelectorAll('.jp-InputPrompt')]
    .some((p) => /^\\[(\\*|\\d+)\\]:$/.test(p.textContent.trim()));
}}
"""


def tab_label(page: Page, title: str) -> Locator:
    """The main area's tabs titled ``title``, oldest first."""
    label = page.locator(".lm-TabBar-tabLabel", has_text=re.compile(f"^{re.escape(title)}$"))
    return page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab").filter(has=label)


class Notebook:
    """One notebook open in JupyterLab."""

    def __init__(self, page: Page, server: LabServer, name: str) -> None:
        self.page = page
        self.server = server
        self.name = name

    def open(self) -> None:
        """Open it in a fresh workspace, wait for its cells and its kernel."""
        self.page.goto(f"{self.server.url}/lab/tree/{self.name}?reset")
        self.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=TIMEOUT * 1000)
        self.wait_for(KERNEL_IDLE_JS, "the kernel to be started and idle")
        # hide the file browser: room for the outputs (a lost key press fails here, not
        # later as a panel too narrow for its content)
        self.page.locator("#jp-left-stack").wait_for(state="visible")
        self.page.keyboard.press("Control+b")
        self.page.locator("#jp-left-stack").wait_for(state="hidden")

    def accept_kernel_dialog(self) -> bool:
        """Accept a *Select Kernel* dialog (or any dialog in the way) if one is shown."""
        button = self.page.locator(".jp-Dialog .jp-mod-accept")
        if button.count() and button.first.is_visible():
            button.first.click()
            return True
        return False

    def run_all(self) -> None:
        """Run → Run All Cells, from the menu bar, once the kernel is there to run them."""
        page = self.page

        def attempt() -> bool:
            self.accept_kernel_dialog()
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
            label = page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$"))
            item = page.locator(".lm-Menu-content .lm-Menu-item").filter(has=label)
            item.wait_for()
            if "lm-mod-disabled" in (item.get_attribute("class") or ""):
                page.keyboard.press("Escape")  # not yet: the kernel is still starting
                return False
            item.click()
            return True

        wait_until(attempt, "Run → Run All Cells to be enabled", every=0.5)
        self.wait_for(STARTED_JS, "the cells to start running", self.name)
        # every code cell is queued: none may stay without "[*]" or a number (a Run All
        # clicked before the kernel was ready leaves some unqueued for good)
        self.wait_for(
            ALL_QUEUED_JS, "Run All to queue every code cell (was the kernel ready?)", self.name
        )

    def wait_for(self, js: str, what: str, arg: Any = None, *, timeout: float = TIMEOUT) -> Any:
        """Wait until ``js`` (a function of ``arg``) is truthy in the page; accept dialogs."""

        def check() -> Any:
            self.accept_kernel_dialog()
            return self.page.evaluate(js, arg)

        return wait_until(check, what, timeout=timeout)

    def wait_for_all_cells(self, *, timeout: float = 2 * TIMEOUT) -> None:
        """Wait until every code cell has run (each prompt shows its execution count)."""
        self.wait_for(PROMPTS_DONE_JS, "every cell to finish running", self.name, timeout=timeout)

    def code_cell(self, source: str | re.Pattern[str]) -> Locator:
        """The code cell whose source contains ``source`` (or matches the pattern)."""
        editor = self.page.locator(".jp-InputArea-editor", has_text=source)
        return self.page.locator(".jp-CodeCell").filter(has=editor)

    def output(self, source: str | re.Pattern[str]) -> Locator:
        """The output area of the code cell whose source contains ``source``."""
        return self.code_cell(source).locator(".jp-Cell-outputArea")

    def view(self, source: str | re.Pattern[str]) -> Locator:
        """Where the workbench view the cell ``source`` displays is: in JupyterLab it opens
        in its own tab (the cell then says so, naming the tab); that tab, brought to the
        front."""
        note = self.output(source).locator("span", has_text="opened in its own tab")
        wait_until(lambda: note.count() > 0, f"the view of the cell {source!r} in its own tab")
        return self.tab(note.first.locator("b").text_content() or "")

    def tab(self, title: str) -> Locator:
        """The content of the main-area tab titled ``title`` (the one in front, if several:
        a new tab comes to the front), brought to the front."""
        tabs = tab_label(self.page, title)
        wait_until(lambda: tabs.count() > 0, f"a tab titled {title!r}")
        current = tabs.and_(self.page.locator(".lm-mod-current"))
        tab = current.first if current.count() else tabs.last
        tab.click()
        return self.page.locator(f"[id='{tab.get_attribute('data-id')}']")

    def activate(self) -> None:
        """Bring the notebook's own tab to the front (its menus and status bar act on it)."""
        tab_label(self.page, self.name.rsplit("/", 1)[-1]).first.click()

    def kernel_log(self) -> list[tuple[str, str]]:
        """What the kernel printed outside any cell (widget callbacks): ``(mime type, text)``.

        JupyterLab routes such output to its log console; the status bar counts
        it. The console is opened (a click on that count) only when there is some.
        """
        self.activate()  # the status bar counts the log of the notebook in front
        status = self.page.locator(".jp-LogConsoleStatusItem")
        if not status.count() or status.inner_text().strip() in ("", "0"):
            return []
        status.click()
        outputs = self.page.locator(".jp-LogConsolePanel .jp-OutputArea-output")
        wait_until(lambda: outputs.count(), "the log console's entries")
        return [
            (str(o.get_attribute("data-mime-type")), o.inner_text()[:1500]) for o in outputs.all()
        ]

    def errors(self) -> list[str]:
        """What the notebook shows as errors: tracebacks and widgets it could not draw."""
        found = [
            e.inner_text()[:600]
            for e in self.page.locator(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
            ).all()
        ]
        text = self.page.locator("#jp-main-dock-panel").text_content() or ""  # tabs behind too
        found += [f"the page says {marker!r}" for marker in WIDGET_ERRORS if marker in text]
        return found


class Widgets:
    """The ipywidgets inside one output, found as a person finds them."""

    def __init__(self, scope: Locator) -> None:
        self.scope = scope
        self.page = scope.page

    def button(self, text: str) -> Locator:
        """The visible button whose text is ``text`` (an icon before it is ignored)."""
        name = re.compile(rf"^\W*{re.escape(text)}$")
        return self.scope.get_by_role("button", name=name).filter(visible=True)

    def click(self, text: str) -> None:
        self.button(text).click()

    def shows_form(self, node_id: str) -> bool:
        """Whether the side panel shows the form of the node ``node_id``."""
        box = self.labelled("id")
        return bool(box.count()) and box.first.input_value() == node_id

    def labelled(self, label: str) -> Locator:
        """The input, textarea or select of a widget with this ``description``."""
        return self.scope.get_by_label(label, exact=True).filter(visible=True)

    def field(self, name: str) -> Locator:
        """The input of a form field (wfbench's forms label a field with bold text)."""
        label = self.page.locator("b", has_text=re.compile(rf"^{re.escape(name)}( \*)?$"))
        row = self.scope.locator(".widget-hbox").filter(has=label).last
        return row.locator("input, textarea, select").first

    def type(self, target: Locator, text: str) -> None:
        """Type ``text`` into a text box and leave it (fields sync on change)."""
        target.fill(text)
        target.blur()

    def choose(self, select: Locator, option: str) -> str:
        """Choose the first option whose text matches the regular expression ``option``.

        Options can arrive from the kernel after the click that asks for them, so
        this waits for a matching option to be there.
        """

        def matching() -> list[str]:
            values: list[str] = select.evaluate("(s) => [...s.options].map((o) => o.value)")
            return [v for v in values if re.search(option, v.replace("\xa0", " "))]

        found = wait_until(matching, f"an option matching {option!r}")
        select.select_option(value=found[0])
        return str(found[0])

    def pick(self, box: Locator, typed: str, value: str) -> None:
        """The type-ahead: type ``typed`` into ``box`` (its list filters as one types), then
        click ``value`` in its list; wait until the box holds the pick."""
        box.fill(typed)
        entry(box.page, value).click()
        wait_until(lambda: picked(box.input_value(), value), f"{value!r} picked into the box")

    def text(self) -> str:
        return self.scope.inner_text()


#: The type-ahead list of the page (wfbench's page script draws one, for the box in use).
TYPEAHEAD = "#wfb-ta-list .wfb-ta-item"


def entry(page: Page, value: str) -> Locator:
    """The entry ``value`` of the type-ahead list on show."""
    return page.locator(f"{TYPEAHEAD}[data-value='{value}']")


def picked(text: str, value: str) -> bool:
    """Whether a type-ahead box's text holds ``value`` (a reference, ``{{ value }}``)."""
    return text == value or "{{ " + value + " }}" in text


# --------------------------------------------------------------------------- the graph

GRAPHS_JS = """
(root) => [...root.querySelectorAll('.__________cytoscape_container')]
  .filter((el) => el.isConnected && el._cyreg && el._cyreg.cy)
  .map((el) => {
    const cy = el._cyreg.cy;
    const box = el.getBoundingClientRect();
    return {
      width: box.width, height: box.height, left: box.left, top: box.top,
      nodes: cy.nodes().map((n) => ({
        id: n.id(),
        label: n.data('label'),
        classes: n.classes(),
        background: n.style('background-color'),
        border: n.style('border-color'),
        x: n.renderedPosition('x'),
        y: n.renderedPosition('y'),
      })),
    };
  })
"""


@dataclass
class Graph:
    """What one cytoscape instance shows: its size on the page and its nodes."""

    width: float
    height: float
    left: float
    top: float
    nodes: dict[str, dict[str, Any]]

    def shown(self, node_id: str) -> bool:
        """Whether the node's centre is inside the graph's box on the page."""
        node = self.nodes[node_id]
        return bool(0 <= node["x"] <= self.width and 0 <= node["y"] <= self.height)

    def outside(self) -> list[str]:
        return [n for n in self.nodes if not self.shown(n)]

    @property
    def drawn(self) -> bool:
        """Whether a person sees it: a box with a size, and nodes inside it."""
        return self.width > 0 and self.height > 0 and any(self.shown(n) for n in self.nodes)

    def background(self, node_id: str) -> str:
        return str(self.nodes[node_id]["background"])

    def has_class(self, node_id: str, cls: str) -> bool:
        return cls in self.nodes[node_id]["classes"]


def graphs(scope: Locator) -> list[Graph]:
    """Every cytoscape instance in ``scope``, in page order."""
    found: list[dict[str, Any]] = scope.evaluate(GRAPHS_JS)
    return [
        Graph(
            g["width"],
            g["height"],
            g["left"],
            g["top"],
            {n["id"]: n for n in g["nodes"]},
        )
        for g in found
    ]


def graph(scope: Locator) -> Graph:
    """The one graph shown in ``scope`` (the last one while a rebuilt graph replaces another)."""
    found = graphs(scope)
    assert found, "no cytoscape graph in this output"
    return found[-1]


def describe(found: list[Graph]) -> str:
    """What the graphs in an output show, for a failure message."""
    if not found:
        return "no cytoscape graph in the output"
    return "; ".join(
        f"a graph of {len(g.nodes)} node(s) in a box of {g.width:.0f}x{g.height:.0f} px, "
        f"{len(g.outside())} of them outside it"
        for g in found
    )


def wait_for_graph(
    scope: Locator, check: Callable[[Graph], bool], what: str, *, timeout: float = TIMEOUT
) -> Graph:
    """Wait until the last graph in ``scope`` passes ``check``; else say what it showed."""
    last: list[Graph] = []

    def probe() -> Graph | None:
        last[:] = graphs(scope)
        return last[-1] if last and check(last[-1]) else None

    result: Graph = wait_until(probe, what, timeout=timeout, seen=lambda: describe(last))
    return result


#: How long one click on a node is given to show its outcome before it is taken as lost
#: and made again (clicking a node only selects it: twice is harmless). Not a wait for
#: the outcome: that is bounded by :data:`TIMEOUT` as a whole.
RECLICK = 15.0


def click_node(
    scope: Locator, node_id: str, until: Callable[[], Any] | None = None, what: str = ""
) -> None:
    """Click a node of the graph in ``scope`` with the mouse, where it is drawn; with
    ``until``, click again until ``until()`` holds (``what`` says what it waits for).

    A click waits until the node is in the graph, inside its box, and at the same place
    on the page in two looks in a row: a graph being replaced, or resized when a side
    panel opens, moves its nodes, and a click computed before the move misses. A click
    that lands on a graph at the moment the kernel replaces it is lost all the same:
    hence ``until``.
    """
    if until is None:
        _click_node(scope, node_id)
        return
    deadline = time.monotonic() + TIMEOUT

    def clicked() -> Any:
        _click_node(scope, node_id)
        with contextlib.suppress(AssertionError):
            left = max(1.0, min(RECLICK, deadline - time.monotonic()))
            return wait_until(until, what, timeout=left)
        return None

    wait_until(clicked, what or f"the outcome of a click on {node_id}", every=0)


def _click_node(scope: Locator, node_id: str) -> None:
    container = scope.locator(".__________cytoscape_container").last
    container.scroll_into_view_if_needed()
    last: list[Graph] = []
    where: list[tuple[float, float, float, float]] = []

    def steady() -> tuple[float, float] | None:
        # cytoscape caches its container's place on the page until a scroll or resize: a
        # layout shift above the graph without either would send the click to the old place
        scope.page.evaluate("() => window.dispatchEvent(new Event('scroll'))")
        last[:] = graphs(scope)
        g = last[-1] if last else None
        if g is None or node_id not in g.nodes or not g.shown(node_id):
            where.clear()
            return None
        node = g.nodes[node_id]
        where.append((g.left, g.top, node["x"], node["y"]))
        if len(where) < 2 or where[-1] != where[-2]:
            return None
        return g.left + node["x"], g.top + node["y"]

    x, y = wait_until(
        steady,
        f"node {node_id} to stand still inside its graph, to be clicked",
        seen=lambda: describe(last),
    )
    scope.page.mouse.click(x, y)


def rgb(hex_colour: str) -> str:
    """``#d9ead3`` as cytoscape reports it: ``rgb(217,234,211)``."""
    h = hex_colour.lstrip("#")
    return "rgb({},{},{})".format(*(int(h[i : i + 2], 16) for i in (0, 2, 4)))


# --------------------------------------------------------------------------- pictures, times


class Shots:
    """Screenshots for people to look at, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[Path] = []

    def take(self, name: str, target: Page | Locator) -> Path:
        path = self.folder / f"{name}.png"
        if isinstance(target, Locator):
            target.screenshot(path=path, animations="disabled")
        else:
            target.screenshot(path=path, full_page=True, animations="disabled")
        self.taken.append(path)
        return path


@dataclass
class Timings:
    """Named durations (ms), reported at the end of the run; never asserted."""

    values: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def record(self, name: str, seconds: float, note: str = "") -> None:
        self.values[name] = round(seconds * 1000, 1)
        if note:
            self.notes[name] = note

    def lines(self) -> list[str]:
        width = max((len(k) for k in self.values), default=0)
        return [
            f"{name:<{width}}  {ms / 1000:7.2f} s"
            + (f"  ({self.notes[name]})" if name in self.notes else "")
            for name, ms in self.values.items()
        ]

    def write(self, folder: Path, machine: str) -> Path:
        path = folder / "timings.json"
        path.write_text(
            json.dumps({"machine": machine, "ms": self.values, "notes": self.notes}, indent=2)
            + "\n"
        )
        (folder / "timings.txt").write_text(machine + "\n" + "\n".join(self.lines()) + "\n")
        return path
