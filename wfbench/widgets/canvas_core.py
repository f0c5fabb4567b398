"""The canvas's core: its draft, layout, selection, editing, save and discard.

:class:`~wfbench.widgets.canvas_view.Canvas` adds what leads off the canvas
(run, test, history, back) and the code twins that add steps.

The canvas edits a **draft**: the raw definition document (see
:mod:`wfbench.widgets.edit` for why not a model). Every change goes through
:meth:`Canvas._changed`, which validates the draft (milliseconds, even for
hundreds of nodes), redraws the graph from the pure projection
(:func:`wfbench.widgets.graph.elements`), updates Run As and the unsaved-changes
bar. Problems are flagged on their nodes from the first Save on, and then kept
current as the person fixes them.

Every click has a code twin: the widgets are attributes (``add_button``,
``save_button`` …) and the convenience methods (:meth:`select`,
:meth:`add_action`, :meth:`save` …) click those same widgets.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from wfbench.errors import DefinitionError, WfbenchError
from wfbench.model import Workflow, to_document
from wfbench.validation import Issue, Report
from wfbench.widgets import edit, samples
from wfbench.widgets.base import View, button, esc, for_notebook, message_html
from wfbench.widgets.canvas_keep import KeptWork
from wfbench.widgets.canvas_layout import lay_out
from wfbench.widgets.canvas_state import (
    EnableToggle,
    LeavePrompt,
    canonical,
    canonical_cases,
    free_name,
)
from wfbench.widgets.cytoscape import GraphView
from wfbench.widgets.forms import NodeForm, form_for
from wfbench.widgets.graph import TRIGGER, elements, parse_placeholder
from wfbench.widgets.palette import AddPanel, Place, places_for
from wfbench.widgets.picker import obvious_params
from wfbench.widgets.run_as import RunAsPicker
from wfbench.widgets.scope import typed_references
from wfbench.widgets.trigger import TriggerCard
from wfbench.widgets.typeahead import ListsHolder

if TYPE_CHECKING:
    from wfbench.widgets.history_view import HistoryView
    from wfbench.widgets.overview_view import Overview
    from wfbench.widgets.run_dialog import RunDialog
    from wfbench.widgets.test_panel import TestPanel
    from wfbench.workbench import Workbench


class CanvasCore(KeptWork, View):
    """The canvas of one workflow (saved, or a new draft).

    Code twins: ``select(id)`` (a click on a node; ``"trigger"`` for the
    trigger card), ``add_button``/``add_panel``, ``add_action``,
    ``add_if_else``, ``add_loop``, ``delete_button``/``delete``,
    ``up_button``/``down_button``/``move``, ``form`` (the selected node's form),
    ``trigger_card``, ``name_text``, ``run_as_select``, ``save_button``/``save``,
    ``discard_button``/``discard``, ``run_button``/``run_dialog``,
    ``enable_toggle``, ``history_button``, ``back_button`` (with unsaved changes
    it opens ``leave_prompt``: ``save_button``, ``discard_button``, ``stay_button``).
    """

    def __init__(
        self,
        wb: Workbench,
        name: str | None = None,
        *,
        draft: Workflow | None = None,
        shell: Overview | None = None,
    ) -> None:
        self.wb = wb
        self.shell = shell
        self.workflow_id: str | None = None
        self.version: int | None = None
        self.enabled: bool | None = None
        saved: dict[str, Any] | None = None
        if draft is None and name is not None:
            info, workflow = wb.workflows.definition(name)
            self.workflow_id, self.version, self.enabled = info.id, info.version, info.enabled
            saved = to_document(workflow)
            doc = copy.deepcopy(saved)
        else:
            if draft is None:
                draft = Workflow(name=free_name(wb), run_as="read_only")
            doc = to_document(draft)
        self.draft: dict[str, Any] = doc
        self.draft_key = self.workflow_id or f"new:{doc.get('name', '')}"
        self.kept = wb.drafts.kept(self.draft_key)
        """The unsaved draft kept from an earlier session (offered by ``restore_bar``)."""
        self._keeping = False  # no store writes while building
        self.cases: list[Any] | None = (
            wb.drafts.cases(self.workflow_id) if self.workflow_id is not None else None
        )
        """The Test tab's cases as they will be saved with the workflow (None: none yet)."""
        self._saved_cases = canonical_cases(self.cases)
        self.cases_problem = ""
        self._saved = saved
        self._saved_text = canonical(saved) if saved is not None else None
        self._draft_text = ""
        self._baseline = copy.deepcopy(doc)
        self.flagging = False
        self.issues: list[Issue] = []
        self.report: Report | None = None
        self.selected: str | None = None
        self.form: NodeForm | None = None
        self.trigger_card: TriggerCard | None = None
        self.add_panel: AddPanel | None = None
        self.run_dialog: RunDialog | None = None
        self.test_panel: TestPanel | None = None
        self.history: HistoryView | None = None
        self._data: dict[str, dict[str, Any]] = {}
        self._sample_run: tuple[str | None, dict[str, Any]] = (None, {})
        self.lists = ListsHolder()
        """The type-ahead lists of the form or panel on show, carried into the page."""
        self._quiet = False
        self._build_widgets()
        self._changed()
        self.select(TRIGGER)
        self._keeping = True
        self._offer_kept()

    # ------------------------------------------------------------------ layout
    def _build_widgets(self) -> None:
        self.back_button = button("Back to workflows", icon="arrow-left")
        self.name_text = w.Text(
            value=self.draft.get("name", ""),
            continuous_update=False,
            layout=w.Layout(width="340px"),
        )
        self.name_message = w.HTML()
        self.type_label = w.HTML(self._type_html())
        self.run_button = button("Run workflow", style="primary", icon="play")
        self.enable = EnableToggle(lambda _enabled: None)  # wired by Canvas
        self.enable_toggle = self.enable.toggle
        self.leave_prompt = LeavePrompt()
        self.history_button = button("Execution history", icon="history")
        self.test_button = button("Test", icon="check", tooltip="run the workflow's test cases")
        self.run_as = RunAsPicker(self._run_as_edited)
        self.run_as_select = self.run_as.select
        self.narrowest_button = self.run_as.narrowest_button
        self.role_message = self.run_as.message
        self.unsaved_label = w.HTML()
        self.save_button = button("Save changes", style="success", icon="save")
        self.discard_button = button("Discard", style="warning", icon="undo")
        self.unsaved_bar = w.HBox(
            [self.unsaved_label, self.save_button, self.discard_button],
            layout=w.Layout(border="2px solid #f1c232", padding="4px", align_items="center"),
        )
        self.unsaved_bar.add_class("wfb-floating")
        self.unsaved_bar.add_class("wfb-unsaved")  # what the page's leave guard looks for
        self._build_restore_bar()
        # one line kept for it, and the problem list below the graph: nothing above the graph
        # changes height, so a click lands where the node is drawn (cytoscape keeps the
        # graph's page offset until a scroll or resize)
        self.message = w.HTML(layout=w.Layout(min_height="24px"))
        self.issues_html = w.HTML()
        self.graph = GraphView(on_select=self.select)
        self.add_button = button("+", style="info", tooltip="add a step after the selection")
        self.delete_button = button("Delete", icon="trash", tooltip="delete the selected step")
        self.up_button = button("", icon="arrow-up", tooltip="move the selected step up")
        self.down_button = button("", icon="arrow-down", tooltip="move the selected step down")
        self.fit_button = button("Fit", icon="expand", tooltip="zoom to fit the whole graph")
        self.fit_button.on_click(lambda _: self.graph.fit())
        self.zoom_in_button = button("", icon="search-plus", tooltip="zoom in")
        self.zoom_out_button = button("", icon="search-minus", tooltip="zoom out")
        self.zoom_in_button.on_click(lambda _: self.graph.zoom(1.25))
        self.zoom_out_button.on_click(lambda _: self.graph.zoom(0.8))
        self.selection_label = w.HTML()
        self.panel = w.VBox(layout=w.Layout(width="100%"))
        self.run_area = w.VBox()

        self.name_text.observe(self._name_edited, names="value")
        self.save_button.on_click(lambda _: self._save())
        self.discard_button.on_click(lambda _: self._discard())
        self.add_button.on_click(lambda _: self._open_add())
        self.delete_button.on_click(lambda _: self._delete())
        self.up_button.on_click(lambda _: self._move(-1))
        self.down_button.on_click(lambda _: self._move(1))
        self.page = lay_out(self)
        self.widget = w.VBox([self.page])

    def _type_html(self) -> str:
        state = ""
        if self.enabled is not None:
            state = " · enabled" if self.enabled else " · <b>disabled</b>"
        version = f" · version {self.version}" if self.version else " · not saved yet"
        kind = str(self.draft.get("type", "manual")).capitalize()
        return f"<span style='padding:0 8px'>Type: <b>{esc(kind)}</b>{version}{state}</span>"

    # ------------------------------------------------------------------ state
    @property
    def dirty(self) -> bool:
        """Whether the draft (or its Test cases) differs from the saved version (always,
        before a first save)."""
        return (
            self._saved_text is None
            or self._draft_text != self._saved_text
            or bool(self.cases_problem)
            or canonical_cases(self.cases) != self._saved_cases
        )

    @property
    def name(self) -> str:
        return str(self.draft.get("name", ""))

    @property
    def tab_title(self) -> str:
        return f"wfbench: {self.name}"

    def _changed(self, *, clear: bool = False) -> None:
        """Validate, redraw, and refresh Run As and the unsaved bar after any edit.

        ``clear``: an edit by the person, so the last message (saved, discarded,
        not saved …) is stale and goes.
        """
        if clear:
            self.message.value = ""
            self.leave_prompt.hide()
        self.report = self.wb.validate(self.draft)
        self._draft_text = canonical(self.draft, self.report.workflow)
        if self.flagging:
            self.issues = list(self.report.issues)
        projected = elements(self.draft, issues=self.issues)
        self._data = {n["data"]["id"]: n["data"] for n in projected["nodes"]}
        self.graph.set_elements(projected)
        self.run_as.update(
            self.report,
            str(self.draft.get("run_as", "")),
            [r.name for r in self.wb.catalogue.roles(format="objects")],
        )
        dirty = self.dirty
        self._keep()
        self.unsaved_bar.layout.display = None if dirty else "none"
        self.enable.show(self.enabled if self.workflow_id else None)
        self.run_button.disabled = self.enabled is False
        self.run_button.tooltip = (
            "this workflow is disabled: switch it on with the toggle next to this button"
            if self.enabled is False
            else "run the saved version"
        )
        self.unsaved_label.value = (
            "<b>● Not saved yet</b>" if self._saved is None else "<b>● Unsaved changes</b>"
        )
        self._show_issues()
        if self.form is not None and self.selected in self._data:  # its notes follow the fixes
            self.form.show_issues([i for i in self.issues if i.node == self.selected])
            self.selection_label.value = self._flag_html(self.selected)

    def _show_issues(self) -> None:
        if not self.flagging or not self.issues:
            self.issues_html.value = ""
            return
        errors = [i for i in self.issues if i.severity == "error"]
        head = (
            f"<b>{len(errors)} problem(s) block saving</b>"
            if errors
            else "<b>Warnings</b> (saving is allowed)"
        )
        items = "".join(
            f"<li>{message_html(for_notebook(_describe(i)), i.severity)}</li>" for i in self.issues
        )
        self.issues_html.value = f"{head}<ul style='margin:2px 0'>{items}</ul>"

    def _flag_html(self, element_id: str) -> str:
        """The selected node's problems, as its red flag's tooltip says them."""
        classes = self.graph.classes(element_id) if element_id in self._data else set()
        if not classes & {"invalid", "warning"}:
            return ""
        tip = esc(self._data[element_id].get("tooltip", "")).replace(chr(10), "<br>")
        return f"<div style='color:#b00'>{tip}</div>"

    # ------------------------------------------------------------------ selection
    def select(self, element_id: str) -> None:
        """Select a node (what a click on it does): its form opens in the side panel.

        ``"trigger"`` selects the trigger card (unless a step has that id).
        """
        if element_id == "trigger" and "trigger" not in self._data:
            element_id = TRIGGER
        data = self._data.get(element_id)
        if data is None:
            raise KeyError(f"no node {element_id!r} on the canvas")
        self.selected = element_id
        self.graph.choose(element_id)
        kind = data["kind"]
        is_step = kind in ("action", "if_else", "loop")
        for b in (self.delete_button, self.up_button, self.down_button):
            b.disabled = not is_step
        self.add_button.disabled = kind == "end"
        shown = self.panel.children[0] if self.panel.children else None
        form, card = self.form, self.trigger_card
        self.form = self.trigger_card = self.add_panel = None
        self.selection_label.value = self._flag_html(element_id)
        if kind == "trigger":
            trigger = self.draft.get("trigger") or {}
            # the card on show already says what the draft says: kept, with what is typed in it
            if card is None or card.widget is not shown or card.trigger() != trigger:
                card = TriggerCard(trigger, self._trigger_edited)
            self.trigger_card = card
            self.panel.children = (card.widget,)
        elif kind == "placeholder":
            self._open_add()
        elif kind == "end":
            self.panel.children = (w.HTML("The end of the workflow."),)
        else:
            node = edit.find(self.draft, element_id) or {}
            spec = (
                self.wb.catalogue.actions(format="registry").find(str(node.get("action")))
                if kind == "action"
                else None
            )
            refs = typed_references(
                self.draft, element_id, self.wb.catalogue.actions(format="registry")
            )
            values = self._sample_values(element_id, refs)
            if form is None or not _shows(form, shown, node, refs, values):
                form = form_for(node, spec, refs, self._form_edited, values)
            self.form = form
            form.show_issues([i for i in self.issues if i.node == element_id])
            self.panel.children = (form.widget,)
        self._publish_lists()

    def _sample_values(self, element_id: str, refs: list[tuple[str, Any]]) -> dict[str, Any]:
        """The references' sample values at ``element_id``: the trigger's sample input and the
        workflow's last run (fetched once per run)."""
        newest = self.wb.runs(self.workflow_id, limit=1) if self.workflow_id else None
        key = None if newest is None or newest.empty else str(newest["run_id"].iloc[0])
        if key != self._sample_run[0]:
            self._sample_run = (key, samples.last_run(self.wb, self.workflow_id))
        run = self._sample_run[1]
        scope = samples.context(
            self.draft, element_id, run_input=run.get("input"), run_steps=run.get("steps") or ()
        )
        return samples.values([r for r, _ in refs], scope)

    # ------------------------------------------------------------------ adding
    def _open_add(self) -> None:
        target = self.selected or TRIGGER
        data = self._data.get(target, {})
        owner_branch = parse_placeholder(target)
        places = places_for(
            target,
            data.get("kind"),
            branch=owner_branch[1] if owner_branch else None,
            owner=owner_branch[0] if owner_branch else None,
        )
        self.add_panel = AddPanel(
            self.wb.catalogue.actions(format="registry"),
            places,
            self._suggest_id,
            self._add,
            self._close_add,
        )
        self.panel.children = (self.add_panel.widget,)
        self._publish_lists()

    def _publish_lists(self) -> None:
        """Publish the type-ahead lists of the form or panel on show."""
        lists = self.form.lists() if self.form is not None else {}
        if self.add_panel is not None:
            lists[self.add_panel.search.key] = self.add_panel.search.listed()
        self.lists.show(lists)

    def _close_add(self) -> None:
        self.select(self.selected or TRIGGER)

    def _suggest_id(self, kind: str, action: str | None) -> str:
        base = action.replace(".", "_") if action and kind == "action" else kind
        return edit.unique_id(self.draft, base)

    def _add(self, kind: str, action: str | None, place: Place, node_id: str) -> None:
        if not edit.valid_id(node_id):
            self.message.value = message_html(
                f"'{node_id}' is not a valid id: use lower-case letters, digits and _, "
                "starting with a letter",
                "error",
            )
            return
        if node_id in edit.ids(self.draft):
            self.message.value = message_html(
                f"the id '{node_id}' is taken; choose another", "error"
            )
            return
        node = edit.new_node(kind, node_id, action)
        where, ref = place
        if where == "after":
            edit.insert(self.draft, node, after=None if ref == TRIGGER else ref)
        else:
            edit.insert(self.draft, node, into=ref, branch=where)
        registry = self.wb.catalogue.actions(format="registry")
        spec = registry.find(str(action)) if kind == "action" else None
        if spec is not None:  # parameters an input field of the same name fills, filled
            refs = typed_references(self.draft, node_id, registry)
            node["with"].update(obvious_params(spec.input_model, refs))
        self._changed(clear=True)
        self.select(node_id)

    def _form_edited(self, node: dict[str, Any], old_id: str) -> None:
        new_id = str(node.get("id", ""))
        if new_id != old_id:
            problem = ""
            if not edit.valid_id(new_id):
                problem = (
                    f"'{new_id}' is not a valid id: lower-case letters, digits and _, "
                    "starting with a letter"
                )
            elif new_id in edit.ids(self.draft):
                problem = f"the id '{new_id}' is taken by another step"
            if problem:
                if self.form is not None:
                    self.form.revert_id(old_id, problem)
                return
            edit.rename(self.draft, old_id, new_id)
        current = edit.find(self.draft, new_id) or {}
        for key in ("then", "else", "steps"):
            if key in current:
                node[key] = current[key]
        edit.replace(self.draft, new_id, node)
        if new_id != old_id:
            self.selected = new_id
        self._changed(clear=True)
        if new_id != old_id:
            self.graph.choose(new_id)

    def _trigger_edited(self, trigger: dict[str, Any]) -> None:
        self.draft["trigger"] = trigger
        self._changed(clear=True)

    def _name_edited(self, change: Mapping[str, Any]) -> None:
        if self._quiet:
            return
        name = str(change["new"]).strip()
        other = self.wb.workflows.find(name) if name else None
        if not name:
            self.name_message.value = message_html("a name is required", "error")
        elif other is not None and other.id != self.workflow_id:
            self.name_message.value = message_html(
                f"a workflow named '{other.name}' already exists (names ignore case)", "error"
            )
        else:
            self.name_message.value = ""
        self.draft["name"] = name
        self._changed(clear=True)

    def _run_as_edited(self, role: str) -> None:
        self.draft["run_as"] = role
        self._changed(clear=True)

    def _delete(self) -> None:
        target = self.selected
        where = edit.locate(self.draft, target) if target else None
        if target is None or where is None:
            return
        steps, i = where
        owner = next((o for o, _, lst in edit.iter_lists(self.draft) if lst is steps), None)
        edit.remove(self.draft, target)
        after = steps[i - 1].get("id") if i > 0 else owner
        self._changed(clear=True)
        self.select(str(after) if after else TRIGGER)

    def _move(self, delta: int) -> None:
        where = edit.locate(self.draft, self.selected) if self.selected else None
        if self.selected is None or where is None:
            return
        if not edit.move(self.draft, self.selected, delta):
            steps, _ = where
            why = "already the first step" if delta < 0 else "already the last step"
            if len(steps) == 1:
                why = "the only step"
            way = "up" if delta < 0 else "down"
            self.message.value = message_html(
                f"'{self.selected}' is {why} here, so it cannot move {way}", "warning"
            )
            return
        self._changed(clear=True)
        self.graph.choose(self.selected)

    def _save(self) -> bool:
        if not self.dirty:
            self.message.value = message_html("no changes to save", "ok")
            return True
        if self.cases_problem:
            self.message.value = message_html(f"not saved: {self.cases_problem}", "error")
            return False
        self.flagging = True
        report = self.wb.validate(self.draft)
        if not report.valid:
            self._changed()
            self.message.value = message_html(
                f"not saved: {len(report.errors)} problem(s); each is flagged on its node", "error"
            )
            self._reselect()
            return False
        other = self.wb.workflows.find(self.name)
        if other is not None and other.id != self.workflow_id:
            # wb.save would make this a new version of that workflow: never from a canvas
            self.message.value = message_html(
                f"not saved: a workflow named '{other.name}' already exists (names ignore "
                "case); choose another name",
                "error",
            )
            return False
        try:
            info = self.wb.save(copy.deepcopy(self.draft), workflow_id=self.workflow_id)
        except DefinitionError as exc:
            self.issues = list(exc.issues)
            self.message.value = message_html(f"not saved: {exc}", "error")
            self._changed()
            return False
        except WfbenchError as exc:
            self.message.value = message_html(f"not saved: {exc}", "error")
            return False
        if self.cases is not None:
            self.wb.drafts.save_cases(info.id, self.cases, info.version)
        self._saved_cases = canonical_cases(self.cases)
        if self.workflow_id is None:  # a new workflow's draft was kept under its name
            self.wb.drafts.drop(self.draft_key)
            self.draft_key = info.id
        self.workflow_id, self.version, self.enabled = info.id, info.version, info.enabled
        self._saved = to_document(self.wb.get(info.id))
        self._saved_text = canonical(self._saved)
        self._baseline = copy.deepcopy(self._saved)
        self.type_label.value = self._type_html()
        state = "enabled" if info.enabled else "disabled"
        self.message.value = message_html(
            f"saved '{info.name}' as version {info.version} ({state})", "ok"
        )
        self._changed()
        self._reselect()
        if self.shell is not None:
            self.shell.refresh()
        return True

    def save(self) -> bool:
        """Click Save changes; whether the workflow was saved."""
        self.save_button.click()
        return not self.dirty

    def _discard(self) -> None:
        self.draft = copy.deepcopy(self._baseline)
        wid = self.workflow_id
        self.cases = self.wb.drafts.cases(wid) if wid is not None else None
        self.cases_problem = ""
        self.flagging, self.issues = False, []
        self._quiet = True
        self.name_text.value = self.name
        self._quiet = False
        self.name_message.value = ""
        self.message.value = message_html("changes discarded", "ok")
        self._changed()
        self._reselect()

    def discard(self) -> None:
        """Click Discard: back to the saved version."""
        self.discard_button.click()

    def _reselect(self) -> None:
        target = self.selected if self.selected in self._data else TRIGGER
        self.select(target or TRIGGER)


def _shows(
    form: NodeForm,
    shown: object,
    node: Mapping[str, Any],
    refs: list[tuple[str, Any]],
    values: Mapping[str, Any],
) -> bool:
    """Whether ``form`` is on show and shows ``node`` as the draft holds it, with the same
    references and samples: then selecting the node again keeps it (a new form would be the
    same, and would drop what is typed into a box but not yet sent)."""
    if form.widget is not shown:
        return False
    fields = {k: v for k, v in node.items() if k not in ("then", "else", "steps")}
    return form.node_dict() == fields and list(form.refs) == refs and form.samples == values


def _describe(issue: Issue) -> str:
    """An issue as the canvas lists it: where (node and field, in words), then what."""
    where = f"step '{issue.node}'" if issue.node else "the workflow"
    if issue.field:
        where += f", {issue.field.removeprefix('with.')}"
    return f"{where}: {issue.message}"


__all__ = ["CanvasCore"]
