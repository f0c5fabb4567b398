"""Runs a workflow: a synchronous, steppable interpreter over the graph.

Modules: :mod:`.execution` (the interpreter), :mod:`.attempts` (one action
step), :mod:`.lifecycle` (records and hooks), :mod:`.environment`,
:mod:`.inputs` (defaults and the input check) and :mod:`.background`.

:class:`Execution` walks the steps in order, evaluates if-else conditions and
loops, and calls each action's handler under the run-as role, which it checks
again before every action. :meth:`Execution.next` advances to the next finished
step; :meth:`Execution.run` is a loop over it. :func:`start_background` runs an
execution in a thread so a notebook stays responsive, with progress reported to
listeners and :meth:`RunHandle.cancel` to stop it.

The engine knows nothing of DuckDB. It reports to :class:`Hooks` (the store
writes history from them; widgets colour nodes from them) and reaches the
world through an :class:`Environment` (the directory factory, connectors, and a
``transaction`` that makes an effect and its step record commit together).

Retries wait ``backoff_s``, then twice that, and so on. Timeouts are
cooperative: ``core.wait`` and ``http.request`` stop at the deadline, and an
attempt that returns after its deadline is failed and its directory change
rolled back with its transaction.
"""

from wfbench.engine.background import RunHandle, start_background
from wfbench.engine.environment import Environment
from wfbench.engine.execution import Execution
from wfbench.runs import Hooks, RunRecord, StepRecord
from wfbench.validation.inputs import apply_defaults, prepare_input

__all__ = [
    "Environment",
    "Execution",
    "Hooks",
    "RunHandle",
    "RunRecord",
    "StepRecord",
    "apply_defaults",
    "prepare_input",
    "start_background",
]
