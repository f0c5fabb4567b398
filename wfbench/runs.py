"""A run and a step, defined once (PRODUCT.md section 4).

:class:`RunRecord` and :class:`StepRecord` are frozen records; every other shape
of a run follows from them: the field tuples :data:`RUN_FIELDS` and
:data:`STEP_FIELDS` (the store's column order), the DuckDB columns
(:func:`ddl`) and the Arrow schema the store appends steps with
(:data:`STEP_SCHEMA`). A field's Python type says its column type: ``str`` is
``VARCHAR``, ``int`` ``INTEGER``, ``float`` ``DOUBLE``, ``bool`` ``BOOLEAN``,
``datetime`` ``TIMESTAMP`` (UTC, see :mod:`wfbench.store.schema`) and :data:`Json` a
DuckDB ``JSON`` value.

:class:`Hooks` is how the engine tells listeners (the store's recorder, the
widgets) about a run, so that none of them needs the engine's internals.

While a run goes on the engine fills in a :class:`Draft` of each record and
freezes it when it reports it; a record a listener holds never changes.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Final, Generic, Literal, TypeAlias, TypeVar, get_args

__all__ = [
    "ENDED_STATUSES",
    "EXPECTED_RUN_STATUSES",
    "EXPECTED_STEP_STATUSES",
    "RUN_FIELDS",
    "RUN_STATUSES",
    "STEP_FIELDS",
    "STEP_STATUSES",
    "UNFINISHED_STATUSES",
    "Draft",
    "Hooks",
    "Json",
    "RunRecord",
    "RunStatus",
    "StepRecord",
    "StepStatus",
    "column_types",
    "ddl",
    "step_schema",
]

RunStatus: TypeAlias = Literal[
    "queued", "running", "succeeded", "failed", "cancelled", "rejected", "interrupted"
]
"""``interrupted``: found unfinished when the store was reopened after a crash."""
StepStatus: TypeAlias = Literal["running", "succeeded", "failed", "skipped", "simulated"]
"""``simulated``: a side-effecting step of a dry run."""

RUN_STATUSES: Final[tuple[str, ...]] = get_args(RunStatus)
STEP_STATUSES: Final[tuple[str, ...]] = get_args(StepStatus)
#: A run not ended yet.
UNFINISHED_STATUSES: Final = RUN_STATUSES[:2]
#: How a started run ends (a ``rejected`` start never ran).
ENDED_STATUSES: Final = tuple(s for s in RUN_STATUSES[2:] if s != "rejected")
#: What a workflow test case may expect of its run (a case's run is never queued, running
#: or interrupted): ``wfbench.testing.cases`` types them.
EXPECTED_RUN_STATUSES: Final = (*ENDED_STATUSES[:3], "rejected")
#: What a case may expect of a step (a case's step never stays running).
EXPECTED_STEP_STATUSES: Final = STEP_STATUSES[1:]


class _JsonColumn:
    """Marks a field kept as a DuckDB ``JSON`` value (any JSON the step or run carried)."""


Json: TypeAlias = Annotated[Any, _JsonColumn()]
_REQUIRED: Final = {"required": True}
"""Field metadata: the column is ``NOT NULL``."""


@dataclass(frozen=True, kw_only=True, slots=True)
class StepRecord:
    """One step of one run, as history keeps it. Fields are in column order."""

    run_id: str = field(metadata=_REQUIRED)
    """The run this step belongs to."""
    seq: int = field(metadata=_REQUIRED)
    """1, 2, … in the order the steps started."""
    node: str
    """The node's id in the definition."""
    path: str
    """Where the node sits, e.g. ``is_contractor.then.each_group[3].leave``."""
    kind: str
    """``action``, ``if_else`` or ``loop``."""
    action: str | None
    """The action's name for an action node, else ``None``."""
    iteration: int | None
    """The index of the loop iteration that ran it, else ``None``."""
    status: StepStatus = field(metadata=_REQUIRED)
    """How the step stands."""
    attempts: int = 0
    """How many times its handler was called (retries included)."""
    params: Json = None
    """The resolved parameters, secrets redacted."""
    output: Json = None
    """The action's output (or the branch taken, or a loop's results)."""
    error: str | None = None
    """Why it failed, as a sentence."""
    change: str | None = None
    """What it changed (or would change, in a dry run), one change per line."""
    started_at: datetime
    """When it started (UTC)."""
    ended_at: datetime | None = None
    """When it ended (UTC); ``None`` while running."""
    duration_ms: float | None = None
    """Wall time it took."""

    def to_dict(self) -> dict[str, Any]:
        """The record as a dict in column order (the shape the store writes)."""
        return {name: getattr(self, name) for name in STEP_FIELDS}


@dataclass(frozen=True, kw_only=True, slots=True)
class RunRecord:
    """One run, as history keeps it. Fields are in column order; ``steps`` is not a column."""

    run_id: str = field(metadata=_REQUIRED)
    """The run's id (hex)."""
    workflow_id: str | None
    """The saved workflow's id; ``None`` for a workflow run without saving."""
    workflow: str
    """The workflow's name when it ran."""
    version: int | None
    """The version of the definition it ran (a run is pinned to it)."""
    status: RunStatus = field(metadata=_REQUIRED)
    """How the run stands."""
    input: Json
    """The input, defaults applied (as given for a rejected start)."""
    output: Json = None
    """The outputs of the top-level steps that succeeded, by node id."""
    error: str | None = None
    """Why it failed, was cancelled or was rejected."""
    reasons: Json = None
    """A rejected start's problems: a list of ``{"pointer", "message"}``."""
    run_as: str
    """The role it ran as."""
    started_by: str
    """Who or what started it: ``notebook``, ``cli``, ``api:<key name>``."""
    dry_run: bool = field(metadata=_REQUIRED)
    """Whether nothing with side effects was executed."""
    idempotency_key: str | None = None
    """The caller's key: a second start with it returns this run."""
    rerun_of: str | None = None
    """The run this one re-ran."""
    started_at: datetime
    """When it started (UTC)."""
    ended_at: datetime | None = None
    """When it ended (UTC); ``None`` while unfinished."""
    duration_ms: float | None = None
    """Wall time it took."""
    batch_id: str | None = None
    """The batch it ran in (``Workbench.run_many``, ``wfbench run --inputs``), else ``None``."""
    directory: str | None = "embedded"
    """The directory it acted on: a SCIM connector's name, or ``embedded``."""
    steps: tuple[StepRecord, ...] = ()
    """Its steps in the order they finished."""

    def to_dict(self, *, steps: bool = True) -> dict[str, Any]:
        """The record as a dict in column order, with ``"steps"`` (as dicts) unless told not."""
        out = {name: getattr(self, name) for name in RUN_FIELDS}
        if steps:
            out["steps"] = [s.to_dict() for s in self.steps]
        return out


def _columns(cls: type[Any]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.name != "steps")


RUN_FIELDS: Final[tuple[str, ...]] = _columns(RunRecord)
"""The keys of a run record, in column order."""
STEP_FIELDS: Final[tuple[str, ...]] = _columns(StepRecord)
"""The keys of a step record, in column order."""

_SQL: Final[dict[type, str]] = {
    str: "VARCHAR",
    int: "INTEGER",
    float: "DOUBLE",
    bool: "BOOLEAN",
    datetime: "TIMESTAMP",  # always UTC: grouping by day pays no time-zone conversion
}
_ARROW: Final[dict[str, tuple[str, ...]]] = {
    "VARCHAR": ("string",),
    "JSON": ("string",),
    "INTEGER": ("int32",),
    "DOUBLE": ("float64",),
    "BOOLEAN": ("bool_",),
    "TIMESTAMP": ("timestamp", "us"),
}


def _sql_type(hint: Any) -> str:
    if typing.get_origin(hint) is Annotated:
        if any(isinstance(m, _JsonColumn) for m in hint.__metadata__):
            return "JSON"
        hint = get_args(hint)[0]
    if typing.get_origin(hint) is Literal:
        return "VARCHAR"
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        (hint,) = [a for a in get_args(hint) if a is not type(None)]
        return _sql_type(hint)
    return _SQL[hint]


def column_types(cls: type[Any]) -> dict[str, str]:
    """``{column: DuckDB type}`` of a record class, in column order."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return {name: _sql_type(hints[name]) for name in _columns(cls)}


def ddl(cls: type[Any], table: str) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for a record class (no keys: appends stay cheap)."""
    required = {f.name for f in dataclasses.fields(cls) if f.metadata.get("required")}
    columns = [
        f"{name} {sql}{' NOT NULL' if name in required else ''}"
        + (" DEFAULT false" if sql == "BOOLEAN" else "")
        for name, sql in column_types(cls).items()
    ]
    return f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)})"


def _arrow_type(sql: str) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    name, *args = _ARROW[sql]
    return getattr(pa, name)(*args)


@functools.cache
def step_schema() -> Any:
    """The Arrow schema a batch of step rows is appended with (pyarrow is imported on
    first use: a command that writes no batch does not pay for it)."""
    import pyarrow as pa

    return pa.schema([(name, _arrow_type(sql)) for name, sql in column_types(StepRecord).items()])


def __getattr__(name: str) -> Any:
    if name == "STEP_SCHEMA":  # the name older code imports; built on first use
        return step_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Hooks:
    """Listeners of a run. Methods take keyword arguments only and must not raise.

    ``step_finished`` is called with ``durable=True`` inside the environment's
    transaction when the step changed the directory: the listener that keeps
    history must write that record before returning, so effect and record
    commit together. Other records may be buffered and flushed later.
    Steps of a loop with ``concurrency > 1`` report from worker threads.

    Every record a listener receives is frozen. ``run`` in the step methods is
    the run as it started (its steps arrive one by one); ``run_finished``
    receives the whole run, steps included.
    """

    def run_started(self, *, run: RunRecord) -> None:
        """The run has begun (status ``running``)."""

    def step_started(self, *, run: RunRecord, step: StepRecord) -> None:
        """A step has begun (status ``running``)."""

    def effect_starting(self, *, run: RunRecord, step: StepRecord, idempotent: bool) -> None:
        """A side-effecting handler is about to be called (never in a dry run). The
        listener that keeps history makes this mark durable before the call (with the
        directory change of a built-in, which commits with its record): a resume reads
        it to know that the run's effects may have happened."""

    def step_finished(self, *, run: RunRecord, step: StepRecord, durable: bool) -> None:
        """A step has ended (succeeded, failed, skipped or simulated)."""

    def run_finished(self, *, run: RunRecord) -> None:
        """The run has ended; ``run.status`` says how."""


R = TypeVar("R", RunRecord, StepRecord)


_SHAPES: dict[type[Any], tuple[frozenset[str], dict[str, Any]]] = {}


def _shape(cls: type[Any]) -> tuple[frozenset[str], dict[str, Any]]:
    """A record class's field names and defaults, read once (every step makes a draft)."""
    shape = _SHAPES.get(cls)
    if shape is None:
        fields = dataclasses.fields(cls)
        defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
        shape = _SHAPES[cls] = (frozenset(f.name for f in fields), defaults)
    return shape


class Draft(Generic[R]):
    """A record being filled in by the engine; :meth:`freeze` gives the record.

    Reads and writes the record's fields by name (an unknown name is an error);
    ``steps`` of a run is a list here and a tuple in the record.
    """

    __slots__ = ("_cls", "_values")

    def __init__(self, cls: type[R], **values: Any) -> None:
        names, defaults = _shape(cls)
        if not names.issuperset(values):
            unknown = set(values) - names
            raise TypeError(f"{cls.__name__} has no field(s) {', '.join(sorted(unknown))}")
        start = {**defaults, **values}
        if "steps" in names and "steps" not in values:
            start["steps"] = []
        object.__setattr__(self, "_cls", cls)
        object.__setattr__(self, "_values", start)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._values:
            raise AttributeError(f"{self._cls.__name__} has no field {name!r}")
        self._values[name] = value

    def freeze(self) -> R:
        """The record as it stands now."""
        values = dict(self._values)
        if "steps" in values:
            values["steps"] = tuple(values["steps"])
        record: R = self._cls(**values)
        return record

    def to_dict(self, **options: Any) -> dict[str, Any]:
        """Like the record's ``to_dict``."""
        return self.freeze().to_dict(**options)

    def __repr__(self) -> str:
        return f"Draft({self.freeze()!r})"
