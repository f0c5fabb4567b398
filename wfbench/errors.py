"""Every error wfbench raises on purpose derives from :class:`WfbenchError`.

The tree::

    WfbenchError
    ├── ExpressionError        a ``{{ … }}`` expression that cannot be parsed, is unsafe,
    │                          or fails while it is evaluated (carries ``position``)
    ├── DefinitionError        a workflow that cannot be loaded or saved (carries ``issues``)
    ├── ActionError            an action that failed while it ran
    │   ├── NoHandler          an action with no function to call in this workbench
    │   ├── OutputMismatch     a handler returned what its output model refuses
    │   ├── StepTimeout        an attempt ran past its ``timeout_s``
    │   ├── EffectUncertain    an attempt stopped while its handler ran (its deadline passed,
    │   │                      its worker was lost): the effect may or may not have happened
    │   ├── HandlerFailed      a handler raised an exception that is not a wfbench error
    │   │                      (carries ``original``): a failed step, never an aborted run
    │   ├── RunCancelled       the run was cancelled while the step waited
    │   └── RunAborted         the store refused a write; the run cannot go on
    ├── ActionRefused          an action (a custom one) that cannot join the catalogue
    ├── RoleRefused            a role that cannot be defined (unknown permissions, a taken name)
    ├── PermissionDenied       a run tried to do what its run-as role does not allow
    ├── AccessEnded            a handler used ``ctx.directory`` after its run was over
    ├── NotFound               a workflow, run, role or action that does not exist
    │   └── UnknownDirectory   a run's ``directory`` that names no SCIM connector
    ├── InputError             a run's input that does not satisfy the trigger schema
    ├── NotPicklable           a batch's action (or its models) cannot be sent to Dask workers
    ├── RunRejected            a start that was refused and recorded as ``rejected``
    │   ├── WorkflowDisabled   …because the workflow is disabled
    │   └── NotOnDirectory     …because a step's action cannot act on the run's directory
    ├── Conflict               a request that contradicts what is stored
    │   ├── NameTaken          a workflow name already used by another workflow
    │   ├── KeyNameTaken       an API key name already used by a key not revoked
    │   ├── LearnerTaken       a learner name already on the class board
    │   ├── AttemptReused      a class-board attempt id sent again for another learner or
    │   │                      exercise
    │   ├── IdempotencyConflict  an idempotency key reused with another input or mode
    │   └── BatchRunning       a batch id started again while it runs (CLI 4, HTTP 409)
    ├── UnknownExercise        a check for an exercise whose hidden cases the class board
    │                          does not keep
    ├── UsageError             a bad argument or an unreadable file (CLI exit code 2)
    ├── BadArgument            a value a verb cannot take (a run status, a time, a key role…)
    ├── DirectoryMisuse        the directory asked to do what would break it (seed twice,
    │                          a dry run outside a rolled-back transaction)
    ├── ClickRefused           a widget's click (or its code twin) that could not be done;
    │                          the message shows what the widget said
    ├── ServerError            the HTTP API server did not start or stop
    │   ├── ClassPortTaken     the class's fixed port is taken by something else
    │   └── ScimServerError    a local SCIM server did not start or refused a seed
    ├── MissingExtra           an optional dependency is not installed (names the extra)
    ├── StoreError             the store cannot do what was asked (closed, query failed)
    │   ├── StoreClosed        the store was closed
    │   ├── QueryFailed        a SQL query over the store failed
    │   ├── StoreTooNew        the file was written by a newer wfbench
    │   └── StoreBusy          another process holds the store file past the wait bound

Errors carry data (positions, issues, names) so surfaces can show them as they
like; their ``str()`` is a sentence that says what is wrong and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wfbench.issues import Issue


class WfbenchError(Exception):
    """Root of every error wfbench raises on purpose."""


class ExpressionError(WfbenchError):
    """An expression was refused or failed.

    ``position`` is the 0-based character offset in the text the expression was
    read from (the whole field value, ``{{`` included), or ``None`` if unknown.
    """

    def __init__(
        self,
        message: str,
        *,
        position: int | None = None,
        source: str = "",
        code: str = "expr.error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.source = source
        #: ``expr.syntax`` (does not parse), ``expr.unsafe`` (a refused construct or limit),
        #: ``expr.error`` (failed while evaluated).
        self.code = code

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.message} (at column {self.position + 1})"


class DefinitionError(WfbenchError):
    """A workflow definition was refused; ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[Issue], *, source: str = "workflow") -> None:
        self.issues = list(issues)
        self.source = source
        errors = [i for i in self.issues if i.severity == "error"]
        lines = [f"{source}: {len(errors)} error(s) found; fix them all and try again:"]
        lines += [f"  - {i.describe()}" for i in errors]
        super().__init__("\n".join(lines))


class ActionError(WfbenchError):
    """An action failed while it ran (a lookup found nothing, a call was refused…)."""


class NoHandler(ActionError):
    """An action has no function to call in this workbench."""


class OutputMismatch(ActionError):
    """A handler returned output its action's output model refuses."""


class ActionRefused(WfbenchError):
    """An action cannot join the catalogue; the message names every problem."""


class RoleRefused(WfbenchError):
    """A role cannot be defined (or the registry built); the message names every problem."""


class AccessEnded(WfbenchError):
    """A handler used its run's directory after the run was over."""


class StepTimeout(ActionError):
    """An attempt ran past its ``timeout_s``."""


class EffectUncertain(ActionError):
    """An attempt was stopped or lost while its handler ran: the deadline passed (the
    message says ``timed out``) or the Dask worker running it was lost. Whatever the
    handler does is not known to have happened or not; the engine calls it again only
    when its action declares itself idempotent."""


class HandlerFailed(ActionError):
    """An action's handler raised an exception of its own (``ValueError``, ``KeyError`` …,
    or returned output its model refuses): the step fails with the exception's type and
    message, its directory changes are rolled back, and it is retried only if the action
    has no side effects or declares itself idempotent (it had started: its effect
    elsewhere may have happened)."""

    def __init__(self, original: BaseException, message: str | None = None) -> None:
        text = str(original)
        if message is None:
            message = f"{type(original).__name__}: {text}" if text else type(original).__name__
        super().__init__(message)
        self.original = original


class RunCancelled(ActionError):
    """The run was cancelled while this step waited."""


class RunAborted(ActionError):
    """The store refused a write: the run cannot go on (its uncommitted work was rolled back)."""


class PermissionDenied(WfbenchError):
    """A run tried an action its run-as role does not allow."""


class NotFound(WfbenchError):
    """Something asked for by name or id does not exist."""


class UnknownDirectory(NotFound):
    """A run named a directory that is no SCIM connector of the store."""


class InputError(WfbenchError):
    """A run's input does not satisfy the workflow's trigger schema.

    ``problems`` is a list of ``(json_pointer, message)`` pairs, one per problem.
    """

    def __init__(self, message: str, problems: Sequence[tuple[str, str]] = ()) -> None:
        self.problems = list(problems)
        detail = "".join(f"\n  - {p or '/'}: {m}" for p, m in self.problems)
        super().__init__(message + detail)


class NotPicklable(WfbenchError):
    """A batch's action, or its input or output model, cannot be sent to Dask workers.

    ``action`` names the action; ``what`` is what could not be pickled."""

    def __init__(self, message: str, *, action: str, what: str) -> None:
        self.action = action
        self.what = what
        super().__init__(message)


class RunRejected(WfbenchError):
    """A start was refused (bad input, disabled workflow) and kept in history as ``rejected``.

    ``run_id`` is the rejected run's id; ``problems`` lists ``(json_pointer, message)``.
    """

    def __init__(self, message: str, *, run_id: str, problems: Sequence[tuple[str, str]] = ()):
        self.run_id = run_id
        self.problems = list(problems)
        detail = "".join(f"\n  - {p or '/'}: {m}" for p, m in self.problems)
        super().__init__(message + detail)


class WorkflowDisabled(RunRejected):
    """A start refused because the workflow is disabled."""


class NotOnDirectory(RunRejected):
    """A run on a SCIM directory holds a step SCIM cannot do (devices, applications,
    commands, MFA): refused before anything runs, naming each such step."""


class Conflict(WfbenchError):
    """A request contradicts what is stored."""


class NameTaken(Conflict):
    """A workflow name (case-insensitive) already belongs to another workflow."""

    def __init__(self, message: str, *, name: str) -> None:
        self.name = name
        super().__init__(message)


class KeyNameTaken(Conflict):
    """An API key name already belongs to a key that is not revoked."""


class LearnerTaken(Conflict):
    """A learner name is already on the class board."""


class AttemptReused(Conflict):
    """A class-board attempt id sent again for another learner or another exercise (each
    check sends a new one; a retry of the same check sends the same)."""


class IdempotencyConflict(Conflict):
    """An idempotency key reused with a different input (or another dry-run mode)."""


class BatchRunning(Conflict):
    """A batch id was started again while it is still running (in this or another
    process): a batch id runs once at a time."""


class UnknownExercise(WfbenchError):
    """A check sent to the class board for an exercise whose hidden cases it does not
    keep (the trainer adds them with ``board.add_exercises(FOLDER)``)."""


class UsageError(WfbenchError):
    """A bad argument or an unreadable file; the message names it and what to do."""


class BadArgument(WfbenchError):
    """A value a verb cannot take (a run status, a time, a key's role or name…)."""


class DirectoryMisuse(WfbenchError):
    """The directory was asked to do what would break it (seed a full one, a dry run
    outside a transaction that is rolled back)."""


class ClickRefused(WfbenchError):
    """A widget's click (or its code twin) could not be done; the message says why, as
    the widget shows it."""


class ServerError(WfbenchError):
    """The HTTP API server did not start, or did not stop in time."""


class ClassPortTaken(ServerError):
    """The class board's fixed port (``$WFBENCH_CLASS_PORT``) is taken by something else."""


class ScimServerError(ServerError):
    """A local SCIM server (for tests, notebooks and benchmarks) did not start, or refused
    the seed it was given."""


class MissingExtra(WfbenchError):
    """An optional dependency is missing; ``extra`` names what to install."""

    def __init__(self, what: str, *, extra: str) -> None:
        self.extra = extra
        super().__init__(
            f"{what} needs the optional extra; install it with: pip install 'wfbench[{extra}]'"
        )


class StoreError(WfbenchError):
    """The store cannot do what was asked (it was closed, a query failed…)."""


class StoreClosed(StoreError):
    """The store was closed; a new one must be opened."""


class QueryFailed(StoreError):
    """A SQL query over the store failed (the message carries DuckDB's)."""


class StoreTooNew(StoreError):
    """The store file was written by a newer wfbench."""


class StoreBusy(StoreError):
    """Another process held the store file for longer than the wait bound."""
