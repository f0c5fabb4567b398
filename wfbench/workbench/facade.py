"""The façade: :class:`Workbench`, the one door the faces use.

It stands on two floors of its own (:mod:`~wfbench.workbench.definitions`,
:mod:`~wfbench.workbench.running`) and adds the notebook views, batches, the catalogue
(roles, actions, connectors), the HTTP API and its keys, and workflow tests and the
training room, each delegating to the package that does the work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from wfbench.actions import ActionRegistry
from wfbench.actions.context import Connector
from wfbench.engine import Execution
from wfbench.model import Workflow
from wfbench.roles import Role
from wfbench.store import ApiKey
from wfbench.workbench import directories
from wfbench.workbench.directories import DirectorySource, Plan
from wfbench.workbench.running import Running
from wfbench.workbench.shapes import same_input_rule

if TYPE_CHECKING:
    import pandas as pd

    from wfbench.api import ApiServer
    from wfbench.batch import Batch
    from wfbench.testing import TestReport
    from wfbench.testing.runner import CasesSource, WorkflowSource

#: How long the HTTP API keeps the store file open after a request (unless someone waits).
SERVE_KEEP_OPEN_S = 1.0


class Workbench(Running):
    """Build, save, run and study manual workflows on one store.

    >>> wb = Workbench(":memory:")
    >>> wb.init(demo=True)                          # doctest: +SKIP
    >>> wb.run("Offboard contractor", {"email": "ada.lovelace@example.com"})  # doctest: +SKIP
    """

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
        directory: str | None = None,
    ) -> pd.DataFrame | Batch:
        """Run ``workflow`` once per row of ``inputs`` (a DataFrame: columns are input
        fields, missing cells absent fields; or a list of dicts) and return the outcomes:
        one row per input with ``batch_id``, ``run_id``, ``status``, ``output``, ``error``,
        ``duration_ms`` and ``resumed``.

        Every run is recorded, tagged with the batch (``batch=`` names it; by default a new
        id). The same ``batch`` again resumes it: rows whose run succeeded are not run
        twice. ``concurrency`` runs go at once on this process's threads; ``executor`` (a
        ``distributed.Client``, a scheduler address, or ``$WFBENCH_DASK_SCHEDULER``) sends
        remote actions (``http.request``, ``remote=True``) to a Dask cluster, while the
        directory and history stay here. ``progress``: a bar in a notebook (default there),
        or a callable given a :class:`wfbench.batch.Progress`. Ctrl-C (a kernel interrupt)
        cancels; ``wait=False`` returns the running :class:`~wfbench.batch.Batch`
        (``.cancel()``, ``.wait()``, ``.frame()``).
        """
        from wfbench.batch import Batch, Port, new_batch_id, one_writer
        from wfbench.engine.cluster import invoker_for

        writer = threading.Lock()
        batch_id = batch or new_batch_id()
        ref = self.find(workflow)
        definition = self.get(workflow)
        who = started_by or self.user
        invoker = invoker_for(executor)
        # a client connected here (from an address) is closed when the batch ends
        end = None if invoker is None or invoker is executor else invoker.close

        def prepare(row: dict[str, Any], key: str) -> Execution:
            execution = self._prepare(
                workflow,
                row,
                dry_run=dry_run,
                started_by=who,
                idempotency_key=key,
                hooks=(),
                rerun_of=None,
                batch_id=batch_id,
                replay=False,
                directory=directory,
            )
            assert isinstance(execution, Execution)
            if invoker is not None:
                execution.env.invoker = invoker
            if concurrency > 1:
                execution.env.transaction = one_writer(execution.env.transaction, writer)
            return execution

        port = Port(
            prepare=prepare,
            previous=lambda: self.runs(ref.id if ref else workflow, batch=batch_id),
            same_input=lambda past, row: same_input_rule(past, row, definition),
        )
        dashboard = getattr(invoker, "dashboard_link", None)
        try:
            job = Batch(
                port,
                inputs,
                batch_id=batch_id,
                concurrency=concurrency,
                progress=_batch_display(progress, dashboard),
                dashboard=dashboard,
                hold=self._store.session,
                on_end=end,
            )
        except BaseException:
            if end is not None:
                end()
            raise
        job.start()
        return job.wait() if wait else job

    def export_history(self, path: str | Path) -> dict[str, int]:
        """Write runs and steps as Parquet under ``path`` (a new or empty folder),
        partitioned by workflow and day (hive style: DuckDB, pandas, Dask and Spark read
        it); returns how many runs and steps were written."""
        from wfbench.batch import export_history

        with self._store.session() as cur:
            return export_history(cur, path)

    def roles(self) -> pd.DataFrame:
        """Roles and their permissions."""
        import pandas as pd  # on first use: `import wfbench` does not load pandas

        return pd.DataFrame(
            [
                {
                    "role": r.name,
                    "builtin": r.builtin,
                    "permissions": r.sorted_permissions(),
                    "description": r.description,
                }
                for r in self._role_registry
            ]
        )

    def role_catalogue(self) -> list[Role]:
        """Every role, built-in and custom (those saved in the store too), as objects."""
        return list(self._roles_for_checks())

    def define_role(self, name: str, permissions: Iterable[str], description: str = "") -> Role:
        """A custom role (for this workbench) from permissions such as ``users:*``."""
        return self._role_registry.define(name, permissions, description)

    def actions(self) -> pd.DataFrame:
        """The action catalogue: name, category, permissions, side effects, description."""
        import pandas as pd  # on first use: `import wfbench` does not load pandas

        return pd.DataFrame(
            [
                {
                    "action": s.name,
                    "category": s.category,
                    "permissions": sorted(s.permissions),
                    "side_effects": s.side_effects,
                    "description": s.description,
                }
                for s in self._catalogue
            ]
        )

    def action_catalogue(self) -> ActionRegistry:
        """The actions this workbench knows (built-in and custom), for reading; register
        new ones with :meth:`action`."""
        return self._catalogue

    def action(
        self,
        name: str,
        *,
        input: type[BaseModel],
        output: type[BaseModel],
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
        """Decorator: register a Python function as a custom action of this workbench.

        The function is called as ``func(params, ctx)`` with an instance of ``input`` and an
        :class:`~wfbench.actions.context.ActionContext`, and returns an ``output`` (or a dict).
        ``exclusive=False`` lets loop iterations run it at once (it must not use
        ``ctx.directory`` then). ``callable_in_dry_run=True`` lets a dry run call it (what it
        writes to the directory then is rolled back with the dry run's sandbox; it must not
        reach outside the directory); otherwise a dry run only records that it would run.
        ``dry_run_safe`` is the former name of that flag and is still accepted.
        ``idempotent=True`` says a second call with the same parameters changes nothing more:
        only then is an attempt whose outcome is unknown (timed out while running, its Dask
        worker lost) called again. ``remote=True`` says it uses only its parameters (never
        ``ctx.directory``): a Dask executor may run it on a worker, and calls overlap.
        """
        return self._catalogue.action(
            name,
            input=input,
            output=output,
            permissions=permissions,
            side_effects=side_effects,
            description=description,
            exclusive=exclusive,
            category=category,
            require_one_of=require_one_of,
            callable_in_dry_run=callable_in_dry_run or dry_run_safe,
            idempotent=idempotent,
            remote=remote,
        )

    def add_connector(self, connector: Connector) -> None:
        """Save a named connector: HTTP (``kind="http"``) or a SCIM 2.0 directory
        (``kind="scim"``); secrets stay in environment variables."""
        self._store.save_connector(connector)

    # -- directories (wfbench.workbench.directories) ----------------------------------------

    def snapshot_directory(self, name: str) -> DirectorySource:
        """Replace the embedded directory's users, groups and memberships with a copy of
        SCIM directory ``name`` (devices and applications emptied), to prototype and test
        on; records when and from where (:meth:`directory_source`)."""
        return directories.snapshot(self._store, name)

    def directories(self) -> list[str]:
        """The directories a run may act on: ``embedded``, then each SCIM connector's name."""
        scim = sorted(n for n, c in self._store.connectors().items() if c.kind == "scim")
        return ["embedded", *scim]

    def directory_source(self) -> DirectorySource:
        """Where the embedded directory's contents came from (sample, or which snapshot)."""
        return directories.source(self._store)

    def plan(
        self,
        name: str,
        input: dict[str, Any] | None = None,
        *,
        directory: str | None = None,
        started_by: str | None = None,
    ) -> Plan:
        """What a real run would change, and where, without changing anything: a dry run
        that reads the directory for real and makes its writes on a copy."""
        record = self.run(name, input, dry_run=True, directory=directory, started_by=started_by)
        return directories.plan_of(self.get(name), record, self._store.connectors())

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
        manager). Callers need a key: :meth:`create_api_key` or ``wfbench apikey create``.
        ``classroom=True`` also serves the class board (:mod:`wfbench.training`).
        """
        from wfbench.api import ApiServer, create_app

        app = create_app(self, classroom=classroom)
        return ApiServer(app, host=host, port=port, log_level=log_level)

    def create_api_key(self, name: str, role: str = "runner") -> str:
        """A new HTTP API key (``viewer``, ``runner`` or ``editor``); shown only this once."""
        return self._store.create_api_key(name, role)

    def api_keys(self) -> list[ApiKey]:
        """Every API key's name, role, dates and state (never the key itself)."""
        return self._store.api_keys()

    def revoke_api_key(self, name: str) -> ApiKey:
        """Revoke a key: it stops working at once."""
        return self._store.revoke_api_key(name)

    def verify_api_key(self, key: str) -> ApiKey | None:
        """The live key ``key`` is (its use is noted), or None."""
        return self._store.verify_api_key(key)

    def check(self, workflow: WorkflowSource, cases: CasesSource = None) -> TestReport:
        """Run test cases against a workflow in a sandbox; nothing reaches the store.

        ``workflow``: a saved workflow's name, a Workflow, a document or a file (whose
        ``NAME.cases.json`` beside it are the cases when ``cases`` is not given). See
        :func:`wfbench.testing.check`.
        """
        from wfbench.testing import check

        report = check(self, workflow, cases)
        report.renderer = _path_graph
        return report

    def reset_directory(self) -> dict[str, int]:
        """Restore the sample organisation to its seeded state; definitions and history stay.

        Replaces a snapshot of a SCIM directory too (:meth:`snapshot_directory`). Returns
        the rows seeded per table."""
        return dict(directories.reset(self._store).counts)


def _path_graph(workflow: Workflow, statuses: Mapping[str, str]) -> Any:
    from wfbench.widgets import path_graph

    return path_graph(workflow, statuses)


def _batch_display(
    progress: bool | Callable[[Any], None] | None, dashboard: str | None
) -> Callable[[Any], None] | None:
    """The progress callback of a batch: the caller's, a notebook bar, or none."""
    if callable(progress):
        return progress
    if progress is False:
        return None
    from wfbench.widgets.batch import in_notebook, progress_bar

    if progress is None and not in_notebook():
        return None
    return progress_bar(dashboard)
