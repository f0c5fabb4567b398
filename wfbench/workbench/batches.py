"""``Workbench.run_many``'s wiring: a :class:`~wfbench.batch.Batch` whose rows are started
by the run starter, with their remote actions on a Dask cluster when one is given."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from wfbench.actions import ActionRegistry, ActionSpec
from wfbench.engine import Execution
from wfbench.model import ActionNode, Workflow, iter_nodes
from wfbench.store.group_commit import GroupCommit
from wfbench.workbench.shapes import same_input_rule
from wfbench.workbench.starter import Start

if TYPE_CHECKING:
    import pandas as pd

    from wfbench.batch import Batch
    from wfbench.workbench.facade import Workbench

__all__ = ["run_many"]


def run_many(
    wb: Workbench,
    workflow: str,
    inputs: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    batch: str | None,
    concurrency: int,
    dry_run: bool,
    executor: Any,
    progress: bool | Callable[[Any], None] | None,
    wait: bool,
    started_by: str | None,
    rerun_interrupted: bool | Iterable[Any] = False,
    directory: str | None = None,
) -> pd.DataFrame | Batch:
    """See :meth:`Workbench.run_many <wfbench.workbench.Workbench.run_many>`."""
    from wfbench.batch import Batch, Port, new_batch_id, one_writer
    from wfbench.engine.cluster import DaskInvoker, invoker_for

    writer = threading.Lock()
    batch_id = batch or new_batch_id()
    ref = wb.workflows.find(workflow)
    definition = wb.get(workflow)
    who = started_by or wb.user
    invoker = invoker_for(executor)
    # a client connected here (from an address) is closed when the batch ends
    end = None if invoker is None or invoker is executor else invoker.close
    # Runs going at once commit their records together (issue 22).
    group = GroupCommit(wb._store) if concurrency > 1 else None
    if isinstance(invoker, DaskInvoker):
        try:  # refused once, before any row runs
            invoker.refuse_unpicklable(
                _remote_actions(wb.catalogue.actions(format="registry"), definition)
            )
        except BaseException:
            if end is not None:
                end()
            raise

    def prepare(row: dict[str, Any], key: str) -> Execution:
        start = Start(
            workflow=ref or workflow,  # its definition read once for the whole batch
            input=row,
            dry_run=dry_run,
            started_by=who,
            idempotency_key=key,
            batch_id=batch_id,
            group=group,
            directory=directory,
        )
        execution = wb.starter.prepare(start)
        assert isinstance(execution, Execution)  # a batch's rows are never replayed
        if invoker is not None:
            execution.env.invoker = invoker
        if concurrency > 1:
            execution.env.transaction = one_writer(execution.env.transaction, writer)
        return execution

    port = Port(
        prepare=prepare,
        previous=lambda: wb.runs(ref.id if ref else workflow, batch=batch_id),
        same_input=lambda past, row: same_input_rule(past, row, definition),
        effects=wb._store.effects_started,
        claim=wb._store.claim_batch,
    )
    dashboard = getattr(invoker, "dashboard_link", None)
    display = _batch_display(progress, dashboard)
    try:
        job = Batch(
            port,
            inputs,
            batch_id=batch_id,
            concurrency=concurrency,
            progress=display,
            dashboard=dashboard,
            hold=wb.hold,
            on_end=end,
            rerun_interrupted=rerun_interrupted,
        )
    except BaseException:
        if end is not None:
            end()
        raise
    job.start()
    if not wait:
        return job
    # a notebook's bar keeps serving its Cancel button while the cell waits
    serving = getattr(display, "wait_serving_widgets", None)
    return serving(job) if serving is not None else job.wait()


def _remote_actions(catalogue: ActionRegistry, workflow: Workflow) -> list[ActionSpec]:
    """The actions of ``workflow`` a Dask executor would run on its workers."""
    names = dict.fromkeys(n.action for n in iter_nodes(workflow.steps) if isinstance(n, ActionNode))
    found = (catalogue.find(name) for name in names)
    return [spec for spec in found if spec is not None and spec.remote]


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
