"""``wb.workflows``: the saved workflows (create, validate, save, find, enable, import,
export). Called, it is the overview table: ``wb.workflows()``. A canvas's kept draft and
a version's test cases are ``wb.drafts`` (:mod:`.drafts`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from wfbench.actions import ActionRegistry
from wfbench.errors import DefinitionError
from wfbench.model import Workflow, dump_workflow, read_document, to_document
from wfbench.roles import RoleRegistry
from wfbench.store import Store, WorkflowInfo
from wfbench.validation import Report, validate
from wfbench.validation.structure import parse_pruned
from wfbench.workbench.shapes import OnConflict, Rows, name_taken

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Workflows"]


class Workflows:
    """The definitions kept in one store (``wb.workflows``)."""

    def __init__(
        self,
        store: Store,
        actions: ActionRegistry,
        roles: Callable[[], RoleRegistry],
        user: Callable[[], str],
    ) -> None:
        self._store = store
        self._actions = actions
        self._roles = roles
        self._user = user

    @overload
    def __call__(self, *, format: Literal["frame"] = ...) -> pd.DataFrame: ...
    @overload
    def __call__(self, *, format: Literal["rows"]) -> Rows: ...
    def __call__(self, *, format: Literal["frame", "rows"] = "frame") -> pd.DataFrame | Rows:
        """The workflows overview: name, type, enabled, run-as, last run, run count and
        refused starts; ``format="rows"``: plain rows (what ``wfbench list`` prints; loads
        no pandas)."""
        if format == "rows":
            return Rows(*self._store.workflow_rows())
        return self._store.list_workflows()

    def create(self, name: str, description: str = "", *, run_as: str = "read_only") -> Workflow:
        """A new, unsaved manual workflow (the Create Workflow dialog's Done)."""
        doc = {
            "format": "wfbench/v1",
            "name": name,
            "description": description,
            "type": "manual",
            "run_as": run_as,
        }
        issues, _ = parse_pruned(doc)  # every problem (an empty name…) as the canvas shows it
        if issues:
            raise DefinitionError(issues, source="the new workflow")
        if not self.name_free(name):
            raise name_taken(name)
        return Workflow.model_validate(doc)

    def validate(self, workflow: Workflow | dict[str, Any] | Any) -> Report:
        """Every issue of a draft (a model or any parsed JSON), against this workbench's
        actions and roles, the custom roles saved in the store included."""
        doc = to_document(workflow) if isinstance(workflow, Workflow) else workflow
        return validate(doc, actions=self._actions, roles=self._roles())

    def find(self, ref: str) -> WorkflowInfo | None:
        """The saved workflow with this id or name (names ignore case), or None."""
        return self._store.find_workflow(ref)

    def info(self, ref: str) -> WorkflowInfo:
        """A saved workflow's state (enabled, version, run-as…); NotFound names the others."""
        return self._store.get_workflow(ref)

    def get(self, ref: str, version: int | None = None) -> Workflow:
        """The saved definition (latest, or a given version)."""
        return self._store.get_definition(ref, version)[1]

    def definition(self, ref: str, version: int | None = None) -> tuple[WorkflowInfo, Workflow]:
        """A saved workflow's state and its definition, found with one look-up."""
        return self._store.get_definition(ref, version)

    def name_free(self, name: str, *, workflow_id: str | None = None) -> bool:
        """Whether ``name`` may be given to a new workflow (or, with ``workflow_id``, to
        that workflow): no other saved workflow has it, ignoring case."""
        other = self._store.find_by_name(name)  # a name, never an id (issue 10.8)
        return other is None or other.id == workflow_id

    def save(
        self,
        workflow: Workflow | Report | dict[str, Any] | str | Path,
        *,
        workflow_id: str | None = None,
        saved_by: str | None = None,
        on_conflict: OnConflict = "new_version",
    ) -> WorkflowInfo:
        """Validate and save as a new version; refuse with every issue (DefinitionError).

        A workflow whose name exists gets a new version of that workflow, unless
        ``workflow_id`` names which workflow this is (then it may be renamed), or
        ``on_conflict="refuse"``: then a name another workflow has raises :class:`NameTaken`.
        A :class:`Report` from this workbench's :meth:`validate` is saved as it is, without
        being checked again.
        """
        if isinstance(workflow, Report):
            workflow.raise_for_errors(source=workflow.workflow.name if workflow.workflow else "")
            assert workflow.workflow is not None
            return self._save_checked(workflow.workflow, workflow_id, saved_by, on_conflict)
        if isinstance(workflow, Workflow):
            doc: Any = to_document(workflow)
            label = workflow.name
        else:
            doc, label = read_document(workflow)
        report = self.validate(doc)
        report.raise_for_errors(source=label)
        assert report.workflow is not None
        return self._save_checked(report.workflow, workflow_id, saved_by, on_conflict)

    def _save_checked(
        self,
        workflow: Workflow,
        workflow_id: str | None,
        saved_by: str | None,
        on_conflict: OnConflict,
    ) -> WorkflowInfo:
        name = workflow.name
        with self._store.session():
            existing = self._store.find_by_name(name)  # never by id: a name is not an id
            if existing is not None and workflow_id is None and on_conflict == "new_version":
                workflow_id = existing.id
            elif existing is not None and existing.id != workflow_id:
                raise name_taken(name)
            return self._store.save_definition(
                workflow, workflow_id=workflow_id, saved_by=saved_by or self._user()
            )

    def enable(self, ref: str) -> WorkflowInfo:
        return self._store.set_enabled(ref, True)

    def disable(self, ref: str) -> WorkflowInfo:
        """Disable a workflow: a start is refused (WorkflowDisabled) until it is enabled."""
        return self._store.set_enabled(ref, False)

    def delete(self, ref: str) -> None:
        """Delete a workflow; its run history stays."""
        self._store.delete_workflow(ref)

    def import_files(self, *paths: str | Path) -> list[WorkflowInfo]:
        """Save each file; refuse all of them, listing every issue, if any is invalid."""
        checked = []
        with self._store.session():
            for path in paths:
                doc, label = read_document(Path(path))
                report = self.validate(doc)
                report.raise_for_errors(source=label)
                assert report.workflow is not None
                checked.append(report.workflow)
            user = self._user()
            return [self._save_checked(wf, None, user, "new_version") for wf in checked]

    def export(self, ref: str, path: str | Path | None = None) -> str:
        """The canonical JSON of a saved workflow; also written to ``path`` if given."""
        text = dump_workflow(self.get(ref))
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text
