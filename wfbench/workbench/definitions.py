"""The façade's first floor: the store file and the definitions (create, validate, save,
find, enable, import, export). :class:`~wfbench.workbench.Workbench` builds on it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wfbench.actions import ActionRegistry, builtin_registry
from wfbench.model import Workflow, dump_workflow, read_document
from wfbench.roles import RoleRegistry
from wfbench.store import KeptDraft, Store, WorkflowInfo
from wfbench.store.recorder import StoredRoles as _StoredRoles
from wfbench.validation import Report, validate
from wfbench.workbench.shapes import OnConflict, Rows, document, name_taken

if TYPE_CHECKING:
    import pandas as pd

SAMPLES = ("onboard_new_hire.json", "offboard_contractor.json")


class Definitions:
    """The store and the definitions kept in it (see :class:`~wfbench.workbench.Workbench`)."""

    def __init__(
        self,
        db: str | os.PathLike[str] | None = None,
        *,
        user: str = "notebook",
        lock_timeout: float | None = None,
    ) -> None:
        path = db if db is not None else os.environ.get("WFBENCH_DB") or "wfbench.duckdb"
        self.path = str(path)
        self.user = user
        self._store = Store(path, lock_timeout=lock_timeout)
        self._catalogue: ActionRegistry = builtin_registry()
        self._role_registry: RoleRegistry = _StoredRoles(self._store)

    def __repr__(self) -> str:
        return f"Workbench({self.path!r})"

    def hold(self) -> contextlib.AbstractContextManager[Any]:
        """Keep the store file open across the operations in a ``with`` block."""
        return self._store.session()

    def keep_open(self, seconds: float) -> None:
        """Keep the store file open up to ``seconds`` after its last use (a server answering
        request after request opens it once); it is let go at once when another process is
        waiting for it. ``wfbench serve`` keeps it for :data:`SERVE_KEEP_OPEN_S`."""
        self._store.keep_open(seconds)

    def close(self) -> None:
        """Let go of the store file for good (this workbench cannot be used afterwards).

        Runs this workbench had not finished read ``interrupted`` the next time the file
        is opened."""
        self._store.close()

    def init(self, *, demo: bool = False) -> bool:
        """Create the store's tables; with ``demo`` also seed the sample organisation and
        import the sample workflows. Safe to call again: an organisation already there is
        kept and a sample workflow already saved is not saved again. Returns whether the
        demo organisation was seeded by this call."""
        from wfbench.directory import seed_demo

        with self._store.session() as con:
            self._store.initialize()
            if not demo:
                return False
            seeded = False
            if not con.execute("select count(*) from users").fetchall()[0][0]:
                seed_demo(con)
                seeded = True
            from importlib import resources  # here: its import costs every command 10 ms

            samples = resources.files("wfbench") / "samples"
            for name in SAMPLES:
                doc, _ = read_document(samples.joinpath(name).read_text(encoding="utf-8"))
                if self._store.find_by_name(str(doc["name"])) is None:
                    self.save(doc, saved_by="init")
            return seeded

    def create(self, name: str, description: str = "", *, run_as: str = "read_only") -> Workflow:
        """A new, unsaved manual workflow (the Create Workflow dialog's Done)."""
        if not self.name_free(name):
            raise name_taken(name)
        return Workflow(
            format="wfbench/v1", name=name, description=description, type="manual", run_as=run_as
        )

    def validate(self, workflow: Workflow | dict[str, Any] | Any) -> Report:
        """Every issue of a draft (a model or any parsed JSON), against this workbench's
        actions and roles, the custom roles saved in the store included."""
        doc = document(workflow) if isinstance(workflow, Workflow) else workflow
        return validate(doc, actions=self._catalogue, roles=self._roles_for_checks())

    def _roles_for_checks(self) -> RoleRegistry:
        """The roles a definition is checked against. A store file that does not exist
        yet holds no custom role: the built-ins then, without creating the file."""
        path = self._store.path
        if path != ":memory:" and not Path(path).exists():
            return RoleRegistry()
        return self._role_registry

    def find(self, ref: str) -> WorkflowInfo | None:
        """The saved workflow with this id or name (names ignore case), or None."""
        return self._store.find_workflow(ref)

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
            doc: Any = document(workflow)
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
                workflow, workflow_id=workflow_id, saved_by=saved_by or self.user
            )

    def get(self, name: str, version: int | None = None) -> Workflow:
        """The saved definition (latest, or a given version)."""
        return self._store.get_definition(name, version)[1]

    def definition(self, ref: str, version: int | None = None) -> tuple[WorkflowInfo, Workflow]:
        """A saved workflow's state and its definition (latest, or a given version), found
        with one look-up."""
        return self._store.get_definition(ref, version)

    def info(self, name: str) -> WorkflowInfo:
        return self._store.get_workflow(name)

    def workflows(self) -> pd.DataFrame:
        """The workflows overview: name, type, enabled, run-as, last run, run count."""
        return self._store.list_workflows()

    def workflow_rows(self) -> Rows:
        """:meth:`workflows` as plain rows (what ``wfbench list`` prints; loads no pandas)."""
        return Rows(*self._store.workflow_rows())

    def enable(self, name: str) -> WorkflowInfo:
        return self._store.set_enabled(name, True)

    def disable(self, name: str) -> WorkflowInfo:
        return self._store.set_enabled(name, False)

    def delete(self, name: str) -> None:
        """Delete a workflow; its run history stays."""
        self._store.delete_workflow(name)

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
            return [self._save_checked(wf, None, self.user, "new_version") for wf in checked]

    def keep_draft(self, key: str, definition: Any, cases: list[Any] | None = None) -> None:
        """Keep a canvas's unsaved draft (and its Test cases) under ``key``: a workflow's
        id, or ``new:`` and a name. It outlives the kernel; :meth:`kept_draft` gives it back."""
        self._store.keep_draft(key, definition, cases)

    def kept_draft(self, key: str) -> KeptDraft | None:
        """The unsaved draft kept under ``key``, or None."""
        return self._store.kept_draft(key)

    def drop_draft(self, key: str) -> None:
        """Forget the unsaved draft kept under ``key``."""
        self._store.drop_draft(key)

    def save_cases(self, name: str, cases: list[Any], version: int | None = None) -> None:
        """Keep test ``cases`` with a saved workflow's version (default: its latest)."""
        info = self._store.get_workflow(name)
        self._store.save_cases(info.id, version or info.version, list(cases))

    def cases(self, name: str, version: int | None = None) -> list[Any] | None:
        """The test cases saved with a version (default: the latest), or None."""
        info = self._store.get_workflow(name)
        return self._store.cases_of(info.id, version or info.version)

    def export(self, name: str, path: str | Path | None = None) -> str:
        """The canonical JSON of a saved workflow; also written to ``path`` if given."""
        text = dump_workflow(self.get(name))
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text
