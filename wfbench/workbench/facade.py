"""The façade: :class:`Workbench`, the one door the faces use, made of named parts.

``Workbench`` composes small parts, each one class in its own module with a handful of
verbs, and keeps the short paths people use every day as its own verbs (at most 20):

* ``wb.workflows`` (:mod:`~wfbench.workbench.workflows`): the saved definitions; called,
  the overview table;
* ``wb.runs`` (:mod:`~wfbench.workbench.history`): history; called, the runs table;
* ``wb.catalogue`` (:mod:`~wfbench.workbench.catalogue`): actions, roles, connectors;
* ``wb.access`` (:mod:`~wfbench.workbench.access`): the HTTP API's keys, and how long a
  server keeps the store file open;
* ``wb.directory`` (:mod:`~wfbench.workbench.directories`): the directories a run may act
  on (the embedded one, SCIM connectors'), snapshots, plans;
* ``wb.starter`` (:mod:`~wfbench.workbench.starter`): the only code that starts a run.

Its own verbs are the store file's (``init``, ``hold``, ``close``), the daily paths
(``create``, ``validate``, ``save``, ``get``, ``run``, ``run_many``, ``steps``, ``sql``,
``action``, ``add_connector``, ``check``, ``snapshot_directory``, ``reset_directory``) and
the doors to the faces (``overview``, ``canvas``, ``history``, ``serve``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from wfbench.actions import ActionRegistry, builtin_registry
from wfbench.actions.context import Connector
from wfbench.engine import Hooks, RunHandle, RunRecord
from wfbench.model import Workflow, read_document
from wfbench.roles import RoleRegistry
from wfbench.store import Store, WorkflowInfo
from wfbench.store.recorder import StoredRoles
from wfbench.validation import Report
from wfbench.workbench.access import Access
from wfbench.workbench.catalogue import Catalogue
from wfbench.workbench.directories import Directories, DirectorySource
from wfbench.workbench.drafts import Drafts
from wfbench.workbench.history import Runs
from wfbench.workbench.shapes import OnConflict
from wfbench.workbench.starter import Start, Starter
from wfbench.workbench.workflows import Workflows

if TYPE_CHECKING:
    import pandas as pd

    from wfbench.api import ApiServer
    from wfbench.batch import Batch
    from wfbench.testing import TestReport
    from wfbench.testing.runner import CasesSource, WorkflowSource

#: How long the HTTP API keeps the store file open after a request (unless someone waits).
SERVE_KEEP_OPEN_S = 1.0
SAMPLES = ("onboard_new_hire.json", "offboard_contractor.json")


class Workbench:
    """Build, save, run and study manual workflows on one store.

    >>> wb = Workbench(":memory:")
    >>> wb.init(demo=True)                          # doctest: +SKIP
    >>> wb.run("Offboard contractor", {"email": "ada.lovelace@example.com"})  # doctest: +SKIP
    """

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
        self._roles: RoleRegistry = StoredRoles(self._store)
        #: The only code that starts a run.
        self.starter = Starter(self._store, self._catalogue, self._roles)
        #: The saved workflows; ``wb.workflows()`` is the overview table.
        self.workflows = Workflows(
            self._store, self._catalogue, self._roles_for_checks, lambda: self.user
        )
        #: A canvas's unsaved drafts and the test cases saved with a version.
        self.drafts = Drafts(self._store)
        #: Execution history; ``wb.runs()`` is the runs table.
        self.runs = Runs(self._store, self.starter, self.workflows.get, lambda: self.user)
        #: Actions, roles and connectors.
        self.catalogue = Catalogue(
            self._store, self._catalogue, self._roles, self._roles_for_checks
        )
        #: The HTTP API's keys, and how long a server keeps the store file open.
        self.access = Access(self._store)
        #: The directories a run may act on: snapshots, the sample back, plans.
        self.directory = Directories(
            self._store, self.starter, self.workflows.get, lambda: self.user
        )

    def __repr__(self) -> str:
        return f"Workbench({self.path!r})"

    def _roles_for_checks(self) -> RoleRegistry:
        """The roles a definition is checked against. A store file that does not exist
        yet holds no custom role: the built-ins then, without creating the file."""
        path = self._store.path
        if path != ":memory:" and not Path(path).exists():
            return RoleRegistry()
        return self._roles

    # -- the store file
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

    def hold(self, *, turn: bool = False) -> contextlib.AbstractContextManager[Any]:
        """Keep the store file open across the operations in a ``with`` block.

        ``turn=True``: the block is a new piece of work (an HTTP request) that waits its
        turn when another process is in line for the file, rather than keeping the file
        from it (fair turns under load)."""
        return self._store.session(turn=turn)

    def close(self) -> None:
        """Let go of the store file for good (this workbench cannot be used afterwards).

        Runs this workbench had not finished read ``interrupted`` the next time the file
        is opened."""
        self._store.close()

    # -- definitions: the short paths (the rest is wb.workflows)
    def create(self, name: str, description: str = "", *, run_as: str = "read_only") -> Workflow:
        """A new, unsaved manual workflow (the Create Workflow dialog's Done)."""
        return self.workflows.create(name, description, run_as=run_as)

    def validate(self, workflow: Workflow | dict[str, Any] | Any) -> Report:
        """Every issue of a draft (a model or any parsed JSON), against this workbench's
        actions and roles, the custom roles saved in the store included."""
        return self.workflows.validate(workflow)

    def save(
        self,
        workflow: Workflow | Report | dict[str, Any] | str | Path,
        *,
        workflow_id: str | None = None,
        saved_by: str | None = None,
        on_conflict: OnConflict = "new_version",
    ) -> WorkflowInfo:
        """Validate and save as a new version; refuse with every issue (DefinitionError).
        See :meth:`Workflows.save <wfbench.workbench.workflows.Workflows.save>`."""
        return self.workflows.save(
            workflow, workflow_id=workflow_id, saved_by=saved_by, on_conflict=on_conflict
        )

    def get(self, name: str, version: int | None = None) -> Workflow:
        """The saved definition (latest, or a given version)."""
        return self.workflows.get(name, version)

    # -- runs: the short paths (the rest is wb.runs)
    @overload
    def run(
        self,
        name: str | WorkflowInfo,
        input: dict[str, Any] | None = ...,
        *,
        dry_run: bool = ...,
        wait: Literal[True] = ...,
        started_by: str | None = ...,
        idempotency_key: str | None = ...,
        hooks: Sequence[Hooks] = ...,
        directory: str | None = ...,
    ) -> RunRecord: ...

    @overload
    def run(
        self,
        name: str | WorkflowInfo,
        input: dict[str, Any] | None = ...,
        *,
        dry_run: bool = ...,
        wait: Literal[False],
        started_by: str | None = ...,
        idempotency_key: str | None = ...,
        hooks: Sequence[Hooks] = ...,
        directory: str | None = ...,
    ) -> RunHandle: ...

    def run(
        self,
        name: str | WorkflowInfo,
        input: dict[str, Any] | None = None,
        *,
        dry_run: bool = False,
        wait: bool = True,
        started_by: str | None = None,
        idempotency_key: str | None = None,
        hooks: Sequence[Hooks] = (),
        directory: str | None = None,
    ) -> RunRecord | RunHandle:
        """Start a manual run with ``input`` (``name``: a name, an id, or the
        :class:`WorkflowInfo` a caller already looked up).

        Refused starts (a disabled workflow: :class:`WorkflowDisabled`; an input that does
        not match the schema: :class:`RunRejected`) are kept in history as ``rejected``.
        ``wait=False`` runs in a background thread and returns a :class:`RunHandle`.
        The record returned is the one history keeps (connector secrets masked).

        ``directory`` names a SCIM connector to act on (``None``: the embedded directory;
        a step SCIM cannot do is refused as :class:`NotOnDirectory`); a dry run on it is a
        plan (:meth:`Directories.plan <wfbench.workbench.directories.Directories.plan>`).
        """
        start = Start(
            workflow=name,
            input=input,
            dry_run=dry_run,
            started_by=started_by or self.user,
            idempotency_key=idempotency_key,
            hooks=hooks,
            directory=directory,
        )
        return self.starter.start(start, wait=wait).run

    def steps(self, run_id: str) -> pd.DataFrame:
        """One run's steps, in order."""
        return self.runs.steps(run_id)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any SQL over the store (history, definitions, the directory) as a DataFrame."""
        return self.runs.sql(query, params)

    # -- the notebook's views
    def overview(self) -> Any:
        """The workflows overview widget (Add → New Workflow, open, enable/disable)."""
        from wfbench.widgets import overview

        return overview(self)

    def canvas(self, name: str | None = None) -> Any:
        """The canvas widget for a saved workflow (or a new draft when ``name`` is None)."""
        from wfbench.widgets import canvas

        return canvas(self, name)

    def history(self, name: str) -> Any:
        """The execution history widget of one workflow."""
        from wfbench.widgets import history

        return history(self, name)

    def run_many(
        self,
        workflow: str,
        inputs: pd.DataFrame | Iterable[Mapping[str, Any]],
        *,
        batch: str | None = None,
        concurrency: int = 4,
        dry_run: bool = False,
        executor: Any = None,
        progress: bool | Callable[[Any], None] | None = None,
        wait: bool = True,
        started_by: str | None = None,
        rerun_interrupted: bool | Iterable[Any] = False,
        directory: str | None = None,
    ) -> pd.DataFrame | Batch:
        """Run ``workflow`` once per row of ``inputs`` (a DataFrame: columns are input
        fields, missing cells absent fields; or a list of dicts) and return the outcomes:
        one row per input with ``batch_id``, ``run_id``, ``status``, ``output``, ``error``,
        ``duration_ms`` and ``resumed``.

        Every run is recorded, tagged with the batch (``batch=`` names it; by default a new
        id). The same ``batch`` again resumes it: rows whose run succeeded are not run
        twice, and a row in whose last run a side effect (not idempotent) had started is not
        run again unless named in ``rerun_interrupted`` (row labels, or ``True``): its
        effects may have happened. A batch id runs once at a time (``BatchRunning``
        while it runs, here or in another process). ``concurrency`` runs go at once on
        this process's threads; ``executor`` (a
        ``distributed.Client``, a scheduler address, or ``$WFBENCH_DASK_SCHEDULER``) sends
        remote actions (``http.request``, ``remote=True``) to a Dask cluster, while the
        directory and history stay here. ``progress``: a bar in a notebook (default there),
        or a callable given a :class:`wfbench.batch.Progress`; while a cell waits, the bar's
        Cancel works (widget events are served meanwhile). Cancel, Ctrl-C or a kernel
        interrupt cancels, and the frame returned then agrees with the bar and history;
        ``wait=False`` returns the running :class:`~wfbench.batch.Batch` (``.cancel()``,
        ``.wait()``, ``.frame()``).
        """
        from wfbench.workbench.batches import run_many

        return run_many(
            self,
            workflow,
            inputs,
            batch=batch,
            concurrency=concurrency,
            dry_run=dry_run,
            executor=executor,
            progress=progress,
            wait=wait,
            started_by=started_by,
            rerun_interrupted=rerun_interrupted,
            directory=directory,
        )

    # -- the catalogue: the short paths (the rest is wb.catalogue)
    def action(
        self,
        name: str,
        *,
        input: type[Any],
        output: type[Any],
        permissions: Iterable[str] = (),
        side_effects: bool = True,
        description: str | None = None,
        exclusive: bool = True,
        category: str | None = None,
        require_one_of: Sequence[str] = (),
        callable_in_dry_run: bool = False,
        dry_run_safe: bool = False,
        idempotent: bool = False,
        remote: bool = False,
    ) -> Callable[[Any], Any]:
        """Decorator: register a Python function as a custom action of this workbench
        (see :meth:`Catalogue.action <wfbench.workbench.catalogue.Catalogue.action>`)."""
        return self.catalogue.action(
            name,
            input=input,
            output=output,
            permissions=permissions,
            side_effects=side_effects,
            description=description,
            exclusive=exclusive,
            category=category,
            require_one_of=require_one_of,
            callable_in_dry_run=callable_in_dry_run,
            dry_run_safe=dry_run_safe,
            idempotent=idempotent,
            remote=remote,
        )

    def add_connector(self, connector: Connector) -> None:
        """Save a named connector: HTTP (``kind="http"``) or a SCIM 2.0 directory
        (``kind="scim"``); secrets stay in environment variables."""
        self.catalogue.add_connector(connector)

    # -- directories: the short paths (the rest is wb.directory)
    def snapshot_directory(self, name: str) -> DirectorySource:
        """Replace the embedded directory's users, groups and memberships with a copy of
        SCIM directory ``name`` (devices and applications emptied), to prototype and test
        on; ``wb.directory.source()`` says when and from where."""
        return self.directory.snapshot(name)

    # -- the HTTP API, workflow tests, the training room
    def serve(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        log_level: str = "warning",
        classroom: bool = False,
    ) -> ApiServer:
        """Serve the HTTP API on this store from a background thread of this process.

        Callers elsewhere can then start runs while you watch ``runs()`` fill. ``port=0``
        picks a free port. Returns a handle: ``.url``, ``.stop()`` (also a context
        manager). Callers need a key: ``wb.access.create_key`` or ``wfbench apikey create``.
        ``classroom=True`` also serves the class board (:mod:`wfbench.training`).
        """
        from wfbench.api import ApiServer, create_app

        app = create_app(self, classroom=classroom)
        return ApiServer(app, host=host, port=port, log_level=log_level)

    def check(
        self, workflow: WorkflowSource, cases: CasesSource = None, *, timeout_s: float | None = None
    ) -> TestReport:
        """Run test cases against a workflow in a sandbox; nothing reaches the store.

        ``workflow``: a saved workflow's name, a Workflow, a document or a file (whose
        ``NAME.cases.json`` beside it are the cases when ``cases`` is not given). See
        :func:`wfbench.testing.check`.
        """
        from wfbench.testing import check

        report = check(self, workflow, cases, timeout_s=timeout_s)
        report.renderer = _path_graph
        return report

    def reset_directory(self) -> dict[str, int]:
        """Restore the sample organisation to its seeded state; definitions and history stay.

        Replaces a snapshot of a SCIM directory too (:meth:`snapshot_directory`). Returns
        the rows seeded per table."""
        return dict(self.directory.reset().counts)


def _path_graph(workflow: Workflow, statuses: Mapping[str, str]) -> Any:
    from wfbench.widgets import path_graph

    return path_graph(workflow, statuses)
