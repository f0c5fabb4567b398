"""The run dialog: enter the input, Run (or Dry run), watch the graph colour live.

The input can be typed as JSON (prefilled from the trigger's sample) or in a
form generated from the input schema; the two stay in sync both ways, and both
are checked exactly as a run's start checks them (:meth:`wb.runs.check_input`,
the façade's one input check), so what the dialog calls valid is what the engine
accepts.

The input is checked **as it is typed** (debounced: :data:`CHECK_AFTER_S` after the last
key, on the kernel's event loop; at once outside a kernel, as in tests and scripts):
malformed JSON or input the schema refuses disables Run and Dry run with the message at the
field, and Run checks once more before it starts, so the dialog never records a rejected run (a
disabled workflow is refused here too, before any run is recorded).

**Run** starts a background run (``wb.run(..., wait=False, hooks=[...])``) and
returns at once, so the kernel stays responsive; the engine calls the hooks
from the run's thread and each step's node takes its status colour by a class
change on the existing graph (nothing is rebuilt). A start the engine still refuses
(the workflow disabled elsewhere meanwhile) is shown with every reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as w

from wfbench.errors import RunRejected, WfbenchError
from wfbench.widgets.base import View, badge, button, esc, for_notebook, message_html
from wfbench.widgets.cytoscape import GraphView
from wfbench.widgets.forms import FieldEditor, Kind
from wfbench.widgets.schema import MISSING
from wfbench.workbench import Hooks, RunHandle, RunRecord, StepRecord

if TYPE_CHECKING:
    from wfbench.workbench import Workbench


#: How long after the last key the input is checked (a burst of typing is checked once).
CHECK_AFTER_S = 0.25


def _in_kernel() -> bool:
    """Whether this runs in a Jupyter kernel (an IPython shell with a kernel), whose
    event loop runs callbacks scheduled from a widget's change handler."""
    ipython = sys.modules.get("IPython")  # never imported here: a kernel has it already
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return getattr(shell, "kernel", None) is not None


def _kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The loop to debounce the check on: the kernel's, running now; ``None`` outside a
    kernel, even where a loop happens to run in this thread (e.g. one left running by a
    Playwright sync API session), which may never run the callback: check at once."""
    if not _in_kernel():
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class InputForm:
    """A form generated from an object JSON Schema: one field per property."""

    def __init__(self, schema: Mapping[str, Any], on_change: Callable[[], None]) -> None:
        props = schema.get("properties") if isinstance(schema, Mapping) else None
        required = set(schema.get("required") or []) if isinstance(schema, Mapping) else set()
        self.fields: dict[str, FieldEditor] = {}
        for name, sub in (props or {}).items():
            sub = sub if isinstance(sub, Mapping) else {}
            kind, choices = _kind(sub, name in required)
            editor = FieldEditor(
                name,
                kind,
                required=name in required,
                default=sub.get("default", MISSING),
                choices=choices,
                description=str(sub.get("description", "")),
                expressions=False,
            )
            editor.observe(lambda _: on_change())
            self.fields[name] = editor
        self.widget = w.VBox(
            [e.box for e in self.fields.values()]
            or [w.HTML("<i>this workflow takes no input fields</i>")]
        )

    def merge_into(self, value: Mapping[str, Any]) -> dict[str, Any]:
        """``value`` with the form's fields written over it (keys it does not know kept)."""
        out = dict(value)
        for name, editor in self.fields.items():
            field_value = editor.value()
            if field_value is MISSING:
                out.pop(name, None)
            else:
                out[name] = field_value
        return out

    def show(self, value: Mapping[str, Any]) -> None:
        """Show ``value`` in the fields."""
        for name, editor in self.fields.items():
            editor.present = name in value
            editor.set_value(value.get(name, editor.default))


def _kind(sub: Mapping[str, Any], required: bool) -> tuple[Kind, list[Any]]:
    typ = sub.get("type")
    has_default = "default" in sub
    if isinstance(sub.get("enum"), list):
        return "choice", list(sub["enum"])
    if typ == "string":
        return "text", []
    if typ == "boolean":
        return ("bool" if required or has_default else "tristate"), []
    if typ == "integer":
        return ("int" if required or has_default else "number_text"), []
    if typ == "number":
        return ("float" if required or has_default else "number_text"), []
    return "json", []


class LiveColours(Hooks):
    """Colours a graph from the run's thread, then calls ``on_finished(run)``.

    Hooks must never raise, so a drawing problem is swallowed: it must not
    break the run.
    """

    def __init__(
        self, graph: GraphView | None, on_finished: Callable[[RunRecord], None] | None = None
    ) -> None:
        self.graph = graph
        self.on_finished = on_finished
        self.statuses: dict[str, str] = {}

    def _colour(self, node: str, status: str) -> None:
        if self.statuses.get(node) == "failed":
            return  # a failed iteration stays red
        self.statuses[node] = status
        if self.graph is not None:
            with contextlib.suppress(Exception):
                self.graph.set_status(node, status)

    def step_started(self, *, run: RunRecord, step: StepRecord) -> None:
        self._colour(step.node, "running")

    def step_finished(self, *, run: RunRecord, step: StepRecord, durable: bool) -> None:
        self._colour(step.node, step.status)

    def run_finished(self, *, run: RunRecord) -> None:
        if self.on_finished is not None:
            with contextlib.suppress(Exception):
                self.on_finished(run)


class RunDialog(View):
    """Run workflow: Input JSON and form, Run / Dry run, live status.

    Code twins: ``json_text.value = "…"``, ``form.fields["email"].typed.value``,
    ``run_button.click()``, ``dry_run_button.click()``, ``cancel_button.click()``;
    then ``wait()`` for the run record, ``run_id``, ``rejected`` (a refused start).
    """

    #: The dialog shown now: it floats over the page, so a new one closes the one before
    #: (two would stack at the same place, the older one over the newer).
    _shown: ClassVar[RunDialog | None] = None

    def __init__(
        self,
        wb: Workbench,
        ref: str,
        *,
        graph: GraphView | None = None,
        on_finished: Callable[[], None] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.wb = wb
        self.on_close = on_close
        info, self.workflow = wb.workflows.definition(ref)
        self.ref, self.version = info.id, info.version
        self.graph = graph
        self.on_finished = on_finished
        self.handle: RunHandle | None = None
        self.run_id: str | None = None
        self.rejected: RunRejected | None = None
        self.record: RunRecord | None = None
        self._quiet = True  # building: the form's first values are not edits
        sample = self.workflow.trigger.sample_input or {}
        self._pending: asyncio.TimerHandle | None = None
        self.json_text = w.Textarea(
            value=json.dumps(sample, indent=2, ensure_ascii=False),
            continuous_update=True,  # every key: checked as typed (debounced)
            layout=w.Layout(width="100%", height="150px"),
        )
        self.form = InputForm(self.workflow.trigger.input_schema, self._form_edited)
        self.form.show(sample)
        self.problems = w.HTML()
        self.status = w.HTML()
        # The directory a run acts on; before a real run on a SCIM one, its plan to confirm.
        self.directory = w.Dropdown(
            options=wb.directory.names(), value="embedded", description="Directory"
        )
        self.directory.observe(lambda _: self._unplan(), names="value")
        self.plan_html = w.HTML()
        self.planned: tuple[str, str] | None = None
        """The (directory, input) whose plan is shown: Run then runs it for real."""
        self.run_button = button("Run", style="primary", icon="play")
        self.dry_run_button = button("Dry run", icon="flask")
        self.cancel_button = button("Cancel run", icon="stop")
        self.cancel_button.disabled = True
        self.close_button = button("Close", icon="times", tooltip="close the run dialog")
        self.close_button.on_click(lambda _: self.close())
        self.touched = False
        """Whether the person has edited the input (problems show from then on)."""
        self.json_text.observe(self._json_edited, names="value")
        self.run_button.on_click(lambda _: self._start(dry_run=False))
        self.dry_run_button.on_click(lambda _: self._start(dry_run=True))
        self.cancel_button.on_click(lambda _: self._cancel())
        tabs = w.Tab([self.json_text, self.form.widget])
        tabs.set_title(0, "Input JSON")
        tabs.set_title(1, "Form")
        self.tabs = tabs
        heading = f"Run workflow: {esc(info.name)} (version {info.version})"
        title = w.HTML(
            f"<h4 style='margin:4px 0'>{heading}</h4>",
            layout=w.Layout(flex="1 1 auto", min_width="0"),
        )
        self.widget = w.VBox(
            [
                w.HBox([title, self.close_button], layout=w.Layout(align_items="center")),
                tabs,
                self.problems,
                self.directory,
                w.HBox([self.run_button, self.dry_run_button, self.cancel_button]),
                self.plan_html,
                self.status,
            ],
            layout=w.Layout(
                border="2px solid #8aa1c1", padding="8px", margin="6px 0", max_width="100%"
            ),
        )
        self.widget.add_class("wfb-fit")
        self.widget.add_class("wfb-dialog")  # in view, over the canvas (canvas_state.STYLE)
        before, RunDialog._shown = RunDialog._shown, self
        if before is not None and before is not self:
            before.close()
        self._quiet = False
        self.check()

    # -- input
    def value(self) -> Any:
        """The input as JSON says it (raises ``ValueError`` when it is not JSON)."""
        return json.loads(self.json_text.value) if self.json_text.value.strip() else {}

    def check(self) -> bool:
        """Check the input as a run's start would; show every problem once the person typed.

        Run and Dry run stay disabled while the JSON does not parse or the input schema
        refuses it.
        """
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        problem = json_problem(self.json_text.value)
        shown = ""
        if problem is not None:
            shown = message_html(problem, "error")
        else:
            checked = self.wb.runs.check_input(self.workflow, self.value())
            if not checked.ok:
                shown = _problems_html(checked.summary, checked.problems)
        for b in (self.run_button, self.dry_run_button):
            b.disabled = bool(shown) or self.busy
            b.tooltip = "fix the input first (see the message below it)" if shown else ""
        if shown:
            self.problems.value = shown if self.touched else ""
            return False
        self.problems.value = message_html("the input matches the input schema", "ok")
        return True

    def _check_soon(self) -> None:
        """Check after :data:`CHECK_AFTER_S` without keys (at once outside a kernel)."""
        loop = _kernel_loop()
        if loop is None:
            self._check_edit()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(CHECK_AFTER_S, self._check_edit)

    @property
    def busy(self) -> bool:
        """Whether a run started here is still going."""
        return self.handle is not None and not self.handle.done

    def _form_edited(self) -> None:
        if self._quiet:
            return
        self.touched = True
        self.status.value = ""
        try:
            current = self.value()
        except ValueError:
            current = {}
        merged = self.form.merge_into(current if isinstance(current, dict) else {})
        self._quiet = True
        self.json_text.value = json.dumps(merged, indent=2, ensure_ascii=False)
        self._quiet = False
        self.check()

    def _unplan(self) -> None:
        """The input or the directory changed: a plan shown is no longer the run's."""
        self.planned = None
        self.plan_html.value = ""
        self.run_button.description = "Run"

    def _plan_first(self, value: Any) -> bool:
        """Before a real run on a SCIM directory, show its plan and ask to confirm; True
        when the run may start (the plan shown is this input's, on this directory)."""
        target = str(self.directory.value)
        key = (target, json.dumps(value, sort_keys=True))
        if target == "embedded" or self.planned == key:
            return True
        try:
            plan = self.wb.directory.plan(self.ref, value, directory=target)
        except RunRejected as exc:
            self.problems.value = _problems_html(for_notebook(str(exc).split("\n")[0]), [])
            return False
        except WfbenchError as exc:
            self.status.value = message_html(for_notebook(str(exc)), "error")
            return False
        self.planned = key
        self.plan_html.value = "<pre style='margin:4px 0'>" + esc(plan.text()) + "</pre>"
        self.run_button.description = f"Confirm: run on {target}"
        return False

    def _json_edited(self, _change: Any) -> None:
        self._unplan()
        if self._quiet:
            return
        self.touched = True
        self.status.value = ""  # the last run's line is stale now
        for b in (self.run_button, self.dry_run_button):
            b.disabled = True  # until the check says the new text is good
        self._check_soon()

    def _check_edit(self) -> None:
        self._pending = None
        if self.check() or self._parses():
            value = self.value()
            if isinstance(value, dict):
                self._quiet = True
                self.form.show(value)
                self._quiet = False

    def _parses(self) -> bool:
        try:
            self.value()
        except ValueError:
            return False
        return True

    # -- running
    def _start(self, *, dry_run: bool) -> None:
        self.touched = True
        if not self.check():  # never a rejected run from here: the message is at the field
            return
        info = self.wb.workflows.find(self.ref)
        if info is not None and not info.enabled:
            self.problems.value = message_html(
                "this workflow is disabled: switch it on with the Enabled toggle to run it",
                "error",
            )
            return
        value = self.value()
        if not dry_run and not self._plan_first(value):
            return
        self._unplan()
        self.rejected, self.record, self.handle = None, None, None
        if self.graph is not None:
            self.graph.set_statuses({})
        try:
            handle = self.wb.run(
                self.ref,
                value,
                dry_run=dry_run,
                wait=False,
                hooks=[LiveColours(self.graph, self._finished)],
                directory=None if self.directory.value == "embedded" else self.directory.value,
            )
        except RunRejected as exc:
            self.rejected, self.run_id = exc, exc.run_id
            head = str(exc).split("\n", 1)[0]
            rest = [(p, m) for p, m in exc.problems if m not in head]  # not the head again
            self.problems.value = _problems_html(for_notebook(head), rest)
            self.status.value = f"{badge('rejected')} run {esc(exc.run_id[:8])} was refused"
            if self.on_finished is not None:
                self.on_finished()
            return
        except WfbenchError as exc:
            self.status.value = message_html(for_notebook(str(exc)), "error")
            return
        self.handle, self.run_id = handle, handle.run_id
        kind = "dry run" if dry_run else "run"
        self.status.value = f"{badge('running')} {kind} {esc(handle.run_id[:8])} started"
        for b in (self.run_button, self.dry_run_button):
            b.disabled = True
        self.cancel_button.disabled = False

    def _finished(self, run: RunRecord) -> None:
        self.record = run
        text = f"{badge(run.status)} run {esc(run.run_id[:8])}"
        if run.duration_ms is not None:
            text += f" in {run.duration_ms:.0f} ms"
        if run.error:
            text += f" — {esc(for_notebook(run.error))}"
        self.status.value = text
        for b in (self.run_button, self.dry_run_button):
            b.disabled = False
        self.cancel_button.disabled = True
        if self.on_finished is not None:
            self.on_finished()

    def _cancel(self) -> None:
        if self.handle is not None and not self.handle.done:
            self.handle.cancel()

    # -- conveniences
    def run(self, input: Any = None, *, dry_run: bool = False) -> RunDialog:
        """Type ``input`` as JSON (if given) and click Run (or Dry run)."""
        if input is not None:
            self.json_text.value = json.dumps(input, indent=2, ensure_ascii=False)
        (self.dry_run_button if dry_run else self.run_button).click()
        return self

    def wait(self, timeout: float | None = 60.0) -> RunRecord | None:
        """Block until the run started here ends; its record (``None`` if refused)."""
        if self.handle is None:
            return None
        record = self.handle.wait(timeout)
        return record

    def close(self) -> None:
        """Click Close: the dialog goes (a run it started goes on)."""
        if RunDialog._shown is self:
            RunDialog._shown = None
        on_close, self.on_close = self.on_close, None
        if on_close is not None:
            on_close()
        self.widget.close()


_JSON_WORDS = {
    "Expecting value": "a value is expected here (text in double quotes, a number, "
    "true, false, null, [ or {)",
    "Expecting property name enclosed in double quotes": "a field name in double quotes is "
    "expected here (JSON writes \"name\", not name or 'name'; no comma before })",
    "Expecting ',' delimiter": "a comma is missing here",
    "Expecting ':' delimiter": "a colon is missing here, after the field name",
    "Extra data": "there is more text after the end of the JSON",
    "Unterminated string starting at": 'a text value starts here and is never closed with "',
    "Invalid control character at": "a line break or tab inside text must be written \\n or \\t",
}


def json_problem(text: str) -> str | None:
    """What is wrong with ``text`` as JSON, at its line and column in words; None if it parses."""
    if not text.strip():
        return None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        words = _JSON_WORDS.get(exc.msg, exc.msg[:1].lower() + exc.msg[1:])
        return f"the input is not valid JSON: at line {exc.lineno}, column {exc.colno}, {words}"
    except ValueError as exc:
        return f"the input is not valid JSON: {exc}"
    return None


def field_name(pointer: str) -> str:
    """A JSON pointer as the field it names: ``/manager/email`` → ``manager.email``."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    return ".".join(parts) if parts else "the input"


def _problems_html(head: str, problems: list[tuple[str, str]]) -> str:
    items = "".join(
        f"<li><b>{esc(field_name(pointer))}</b>: {esc(for_notebook(message))}</li>"
        for pointer, message in problems
    )
    return message_html(head, "error") + (f"<ul style='margin:2px 0'>{items}</ul>" if items else "")
