"""``wb.directory``: the directories a run may act on (the embedded one and each SCIM
connector's), a snapshot of a SCIM directory to prototype on, the sample organisation
back, and a plan before a real run. The façade keeps the short paths
``wb.snapshot_directory(NAME)`` and ``wb.reset_directory()``.

The work is :mod:`wfbench.directory`'s (:mod:`~wfbench.directory.scim_copy`,
:mod:`~wfbench.directory.targets`); this module only ties it to the store and to runs
(which start in :mod:`~wfbench.workbench.starter`, like every run).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wfbench.actions.context import Connector
from wfbench.directory import seed_demo
from wfbench.directory.schema import DIRECTORY_TABLE_NAMES
from wfbench.directory.targets import EMBEDDED, resolve
from wfbench.errors import UnknownDirectory
from wfbench.model import ActionNode, Workflow, iter_nodes
from wfbench.runs import RunRecord
from wfbench.store import Store
from wfbench.transactions import transaction
from wfbench.workbench.starter import Start, Starter

__all__ = ["Directories", "DirectorySource", "Plan", "plan_of", "reset", "snapshot", "source"]

#: The ``meta`` key that says where the embedded directory's contents came from.
_SOURCE_KEY = "directory_source"


@dataclass(frozen=True)
class DirectorySource:
    """Where the embedded directory's users and groups came from."""

    kind: str
    """``sample`` (the demo organisation) or ``snapshot`` (a SCIM directory's copy)."""
    name: str | None = None
    """The SCIM connector copied."""
    url: str | None = None
    """Its base URL."""
    taken_at: datetime | None = None
    """When the copy was read (UTC)."""
    counts: Mapping[str, int] = field(default_factory=dict)
    """Rows copied per table."""


def _scim(name: str, connectors: Mapping[str, Connector]) -> Any:
    target = resolve(name, connectors)
    if target is None:
        raise UnknownDirectory(
            f"{name!r} is the embedded directory itself; name a SCIM connector to snapshot"
        )
    return target


def snapshot(store: Store, name: str) -> DirectorySource:
    """Replace the embedded directory with a copy of SCIM directory *name* (devices and
    applications emptied); record when and from where."""
    from wfbench.directory.scim_copy import read_copy, replace_with_copy

    target = _scim(name, store.connectors())
    copy = read_copy(target)  # on the network: before the store's turn, not inside it
    made = DirectorySource(
        "snapshot", target.name, target.base_url, copy.read_at.replace(tzinfo=UTC), {}
    )
    with store.session() as cur, transaction(cur):
        counts = replace_with_copy(cur, copy)
        made = DirectorySource(made.kind, made.name, made.url, made.taken_at, counts)
        cur.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [_SOURCE_KEY, json.dumps(_as_json(made))],
        )
    return made


def reset(store: Store) -> DirectorySource:
    """Bring the sample organisation back in place of whatever the directory holds."""
    with store.session() as cur, transaction(cur):
        for table in reversed(DIRECTORY_TABLE_NAMES):
            cur.execute(f'DELETE FROM "{table}"')
        counts = seed_demo(cur)
        cur.execute("DELETE FROM meta WHERE key = ?", [_SOURCE_KEY])
    return DirectorySource("sample", counts=counts)


def source(store: Store) -> DirectorySource:
    """Where the embedded directory's contents came from."""
    with store.session() as cur:
        row = cur.execute("SELECT value FROM meta WHERE key = ?", [_SOURCE_KEY]).fetchone()
    if row is None:
        return DirectorySource("sample")
    data = json.loads(row[0])
    return DirectorySource(
        "snapshot",
        data["name"],
        data["url"],
        datetime.fromisoformat(data["taken_at"]),
        data["counts"],
    )


def _as_json(made: DirectorySource) -> dict[str, Any]:
    return {
        "name": made.name,
        "url": made.url,
        "taken_at": made.taken_at.isoformat() if made.taken_at else None,
        "counts": dict(made.counts),
    }


@dataclass(frozen=True)
class Plan:
    """What a real run would do: the changes a dry run made on a copy of the directory
    it read for real, where, and the hosts its ``http.request`` steps may call."""

    workflow: str
    directory: str
    """The SCIM connector's name, or ``embedded``."""
    url: str | None
    """The SCIM service's base URL (``None`` for the embedded directory)."""
    changes: list[str]
    """One line per change, in order ("would suspend alice@… (active → suspended)")."""
    hosts: list[str]
    """The hosts ``http.request`` steps may call (their connectors' hosts)."""
    run: RunRecord
    """The dry run that made the plan (kept in history, as every dry run)."""

    @property
    def ok(self) -> bool:
        """Whether the dry run went through (a plan of a failing run says so)."""
        return self.run.status in ("succeeded", "simulated")

    def to_dict(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "directory": self.directory,
            "url": self.url,
            "changes": list(self.changes),
            "hosts": list(self.hosts),
            "run_id": self.run.run_id,
            "status": self.run.status,
            "error": self.run.error,
        }

    def text(self) -> str:
        """The plan in words, as ``wfbench run --plan`` prints it."""
        where = self.directory + (f" ({self.url})" if self.url else "")
        lines = [f"Plan for {self.workflow!r} on directory {where}:"]
        lines += [f"  - {c}" for c in self.changes] or ["  (no changes)"]
        if self.hosts:
            lines.append("HTTP steps may call: " + ", ".join(self.hosts))
        if not self.ok:
            lines.append(f"The dry run {self.run.status}: {self.run.error}")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return "```\n" + self.text() + "\n```"


_ONE_CHANGE = re.compile(r"; (?=would )")


def plan_of(workflow: Workflow, run: RunRecord, connectors: Mapping[str, Connector]) -> Plan:
    """The plan a dry run *run* of *workflow* makes."""
    target = resolve(run.directory, connectors) if run.directory else None
    changes = [s.change for s in run.steps if s.change]
    # A step's changes are joined by "; " (one step may make several); a change line may
    # hold "; " itself ("would lock device X (d_1; active → locked)"), and each one a dry
    # run makes starts with "would ": split only there.
    lines = [part for text in changes for part in _ONE_CHANGE.split(text)]
    named = _http_connectors(workflow)
    if "*" in named:  # a connector chosen by an expression: any HTTP connector
        named |= {n for n, c in connectors.items() if c.kind == "http"}
    hosts = sorted(
        {
            urllib.parse.urlsplit(connectors[name].base_url).netloc
            for name in named
            if name in connectors
        }
    )
    return Plan(
        workflow=run.workflow,
        directory=run.directory or "embedded",
        url=target.base_url if target is not None else None,
        changes=lines,
        hosts=hosts,
        run=run,
    )


def _http_connectors(workflow: Workflow) -> set[str]:
    """Connector names ``http.request`` steps give (an expression may pick any: all then)."""
    names: set[str] = set()
    for node in iter_nodes(workflow.steps):
        if isinstance(node, ActionNode) and node.action == "http.request":
            given = node.with_.get("connector")
            if isinstance(given, str) and "{{" not in given:
                names.add(given)
            else:
                names.add("*")
    return names


class Directories:
    """The directories of one workbench (``wb.directory``)."""

    def __init__(
        self,
        store: Store,
        starter: Starter,
        definition: Callable[[str, int | None], Workflow],
        user: Callable[[], str],
    ) -> None:
        self._store = store
        self._starter = starter
        self._definition = definition
        self._user = user

    def names(self) -> list[str]:
        """The directories a run may act on: ``embedded``, then each SCIM connector's name."""
        scim = sorted(n for n, c in self._store.connectors().items() if c.kind == "scim")
        return [EMBEDDED, *scim]

    def snapshot(self, name: str) -> DirectorySource:
        """Replace the embedded directory's users, groups and memberships with a copy of
        SCIM directory ``name`` (devices and applications emptied), to prototype and test
        on; records when and from where (:meth:`source`)."""
        return snapshot(self._store, name)

    def source(self) -> DirectorySource:
        """Where the embedded directory's contents came from (sample, or which snapshot)."""
        return source(self._store)

    def reset(self) -> DirectorySource:
        """Bring the sample organisation back (replacing a snapshot too); definitions and
        history stay. Its ``counts`` are the rows seeded per table."""
        return reset(self._store)

    def plan(
        self,
        name: str,
        input: dict[str, Any] | None = None,
        *,
        directory: str | None = None,
        started_by: str | None = None,
    ) -> Plan:
        """What a real run would change, and where, without changing anything: a dry run
        (started by the run starter, kept in history) that reads the directory for real and
        makes its writes on a copy."""
        start = Start(
            workflow=name,
            input=input,
            dry_run=True,
            started_by=started_by or self._user(),
            directory=directory,
        )
        record = self._starter.start(start).run
        assert isinstance(record, RunRecord)  # waited for
        return plan_of(self._definition(name, None), record, self._store.connectors())
