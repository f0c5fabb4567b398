"""The ``wfbench/v1`` definition format as pydantic models.

A workflow is one JSON document. Nodes are a discriminated union on ``kind``
(``action`` | ``if_else`` | ``loop``). These models check *structure* (types,
known keys, known kinds); the checks that need the whole workflow (unique ids,
references, roles, action parameters) live in :mod:`wfbench.validation`, which
reports every problem at once.

Export is canonical (:func:`dump_workflow`): keys in model order, defaults left
out, two-space indentation, so importing an exported file and exporting it
again gives the same bytes.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Final, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wfbench._field_docs import Documented
from wfbench.errors import DefinitionError, UsageError
from wfbench.issues import Issue

FORMAT: Final = "wfbench/v1"

#: Upper bound on a loop's ``max_iterations``.
MAX_ITERATIONS_CAP = 10_000
#: Upper bound on a loop's ``concurrency``.
MAX_CONCURRENCY = 32
#: Upper bound on the number of nodes in one workflow.
MAX_NODES = 5_000
#: Upper bound on how deeply if-else and loop flows may nest.
MAX_DEPTH = 16
#: The pattern every node id must match.
ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Strict(Documented):  # the docstring under a field is its description
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        serialize_by_alias=True,
    )


class Retry(_Strict):
    """How often an action is tried again when it fails, and how long to wait between tries."""

    max_attempts: int = Field(default=1, ge=1, le=10)
    """Total tries, the first included (1 means no retry)."""

    backoff_s: float = Field(default=0.0, ge=0.0, le=300.0)
    """Seconds before the second try; each later wait doubles."""


class ActionNode(_Strict):
    """One call of an action from the catalogue."""

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    """Unique across the whole workflow; ``[a-z][a-z0-9_]*``."""

    kind: Literal["action"] = "action"
    """Always ``action``."""

    action: str
    """The catalogue name of the action, for example ``users.get``."""

    with_: dict[str, Any] = Field(default_factory=dict, alias="with")
    """Parameters; any string may hold ``{{ … }}`` expressions."""

    description: str | None = None
    """What this step is for, shown on the canvas."""

    retry: Retry | None = None
    """Retry policy; no retry when absent."""

    timeout_s: float | None = Field(default=None, gt=0, le=3600)
    """Seconds one attempt may take before it fails."""

    on_error: Literal["fail", "continue"] = "fail"
    """``fail`` stops the run when the step fails; ``continue`` records the failure and goes on."""


class IfElseNode(_Strict):
    """A branch: ``then`` runs when ``condition`` is truthy, ``else`` otherwise."""

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    """Unique across the whole workflow; ``[a-z][a-z0-9_]*``."""

    kind: Literal["if_else"] = "if_else"
    """Always ``if_else``."""

    condition: str | bool
    """An expression, usually exactly one ``{{ … }}``."""

    description: str | None = None
    """What this branch decides, shown on the canvas."""

    then: list[Node] = Field(default_factory=list)
    """Steps run when the condition holds."""

    else_: list[Node] = Field(default_factory=list, alias="else")
    """Steps run when it does not."""


class LoopNode(_Strict):
    """Runs its ``steps`` once per item of ``items``."""

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    """Unique across the whole workflow; ``[a-z][a-z0-9_]*``."""

    kind: Literal["loop"] = "loop"
    """Always ``loop``."""

    items: str | list[Any]
    """An expression giving a list, or a literal list."""

    as_: str = Field(default="item", alias="as")
    """The name each item has inside the body (``item`` when absent)."""

    max_iterations: int = Field(ge=1, le=MAX_ITERATIONS_CAP)
    """Required bound: a run whose list is longer fails before the first iteration."""

    description: str | None = None
    """What this loop is for, shown on the canvas."""

    concurrency: int = Field(default=1, ge=1, le=MAX_CONCURRENCY)
    """How many iterations may run at once."""

    on_item_error: Literal["fail", "continue"] = "fail"
    """``fail`` stops the loop at the first failing iteration; ``continue`` goes on."""

    steps: list[Node] = Field(default_factory=list)
    """The body, run once per item."""


Node = Annotated[ActionNode | IfElseNode | LoopNode, Field(discriminator="kind")]
"""Any node of a workflow graph."""


class Trigger(_Strict):
    """The manual trigger: what a person enters when they start a run."""

    input_schema: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )
    """A JSON Schema (draft 2020-12) for the run-time input; usually an object."""

    sample_input: dict[str, Any] | None = None
    """An example input, prefilled in the run dialog; must satisfy the schema."""


class Workflow(_Strict):
    """A manual workflow: a trigger and a graph of steps run under one role."""

    format: Literal["wfbench/v1"] = FORMAT
    """The format version; always ``wfbench/v1``."""

    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    """Unique (case-insensitive) within a store; required."""

    description: str = ""
    """What the workflow does, for the people who will run it."""

    type: Literal["manual"] = "manual"
    """Only ``manual`` in this version: runs start when a person starts them."""

    run_as: str
    """The role every step runs under; the narrowest sufficient role is best."""

    trigger: Trigger = Field(default_factory=Trigger)
    """The manual trigger card: input schema and sample input."""

    steps: list[Node] = Field(default_factory=list)
    """The steps, run top to bottom."""


IfElseNode.model_rebuild()
LoopNode.model_rebuild()
Workflow.model_rebuild()


def children(node: ActionNode | IfElseNode | LoopNode) -> list[tuple[str, list[Node]]]:
    """The child step lists of a node, each with its field name (``then``, ``else``, ``steps``)."""
    if isinstance(node, IfElseNode):
        return [("then", node.then), ("else", node.else_)]
    if isinstance(node, LoopNode):
        return [("steps", node.steps)]
    return []


def iter_nodes(steps: list[Node]) -> Iterator[ActionNode | IfElseNode | LoopNode]:
    """Every node of a step list, depth first, in document order."""
    for node in steps:
        yield node
        for _, body in children(node):
            yield from iter_nodes(body)


def read_document(source: str | Path | dict[str, Any]) -> tuple[Any, str]:
    """Read a workflow document without checking it: ``(document, label for messages)``."""

    if isinstance(source, dict):
        return source, str(source.get("name") or "workflow")
    text: str
    label: str
    if isinstance(source, Path) or (
        isinstance(source, str) and not source.lstrip().startswith("{")
    ):
        path = Path(source)
        label = str(path)
        try:
            text = read_text_file(path)
        except UsageError as exc:
            issue = Issue.make("error", "file.unreadable", None, None, str(exc))
            raise DefinitionError([issue], source=label) from None
    else:
        text, label = source, "workflow"
    try:
        return parse_json(text), label
    except UsageError as exc:
        issue = Issue.make("error", "file.json", None, None, str(exc))
        raise DefinitionError([issue], source=label) from None


#: The largest file a command reads (a workflow, an input): more is refused, unread.
MAX_FILE_BYTES: Final = 16 * 1024 * 1024


def read_file_bytes(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or :class:`UsageError`:
    the one rule for every file a user names (definitions, inputs, ``--inputs``, cases).

    Never blocks or reads without end: FIFOs, devices (``/dev/zero``), directories and
    sockets are refused before reading (opened non-blocking), and reading stops past
    ``limit``. Every refusal names the file and what to do.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read {path}: {why}; check the path") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
            raise UsageError(f"cannot read {path}: it is {kind}; give a regular file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}; check the file") from None
    finally:
        os.close(fd)
    if size > limit:
        raise UsageError(
            f"cannot read {path}: it is larger than {limit:,} bytes; give a smaller file"
        )
    return b"".join(chunks)


def read_text_file(path: str | Path, limit: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a file read by :func:`read_file_bytes`, or :class:`UsageError`."""
    data = read_file_bytes(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"cannot read {path}: it is not UTF-8 text (byte {exc.start:,} is not); "
            "save it as UTF-8"
        ) from None


def parse_json(text: str) -> Any:
    """``json.loads``, with every failure (syntax, nesting, NaN) a :class:`UsageError`."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}; fix the syntax"
        ) from None
    except RecursionError:
        raise UsageError("not usable JSON: it is nested too deeply; flatten it") from None
    except ValueError as exc:  # an integer with too many digits, a bad constant
        raise UsageError(f"not usable JSON: {str(exc)[:200]}; fix the value") from None


M = TypeVar("M", bound=BaseModel)


def read_model(model: type[M], path: Path, fix: str = "") -> M:
    """``model`` from the JSON file at ``path``, read by the one rule for files a user
    names (regular, UTF-8, bounded); :class:`UsageError` naming every problem."""
    try:
        data = parse_json(read_text_file(path))
    except UsageError as exc:
        raise UsageError(f"{path}: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '/'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise UsageError(f"{path}: {problems}{fix}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def to_document(workflow: Workflow) -> dict[str, Any]:
    """The canonical JSON document of a workflow.

    Fields appear in model order, and a field is written when it was given, so
    importing a valid file and exporting it gives an equal document. Every
    node's ``kind`` is always written: it says what the node is.
    """
    doc = workflow.model_dump(mode="json", by_alias=True, exclude_unset=True)
    doc["steps"] = _with_kinds(workflow.steps, doc.get("steps", []))
    order = ["format", "name", "description", "type", "run_as", "trigger", "steps"]
    return {k: doc[k] for k in order if k in doc}


def _with_kinds(nodes: list[Node], dumped: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for node, raw in zip(nodes, dumped, strict=True):
        raw = {"id": raw["id"], "kind": node.kind, **raw}
        for key, body in children(node):
            if key in raw:
                raw[key] = _with_kinds(body, raw[key])
        out.append(raw)
    return out


def dump_workflow(workflow: Workflow) -> str:
    """Canonical JSON text of a workflow: stable key order, two-space indent, final newline."""
    return json.dumps(to_document(workflow), indent=2, ensure_ascii=False) + "\n"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the ``wfbench/v1`` format (what ``wfbench schema`` prints)."""
    schema = Workflow.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://wfbench.dev/schema/wfbench-v1.json"
    schema["title"] = "wfbench/v1 workflow"
    return schema
