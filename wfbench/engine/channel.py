"""What a handler gets as ``ctx.directory``: a line to the run's thread, not the directory.

A handler that is not a built-in (a custom action, or a built-in wrapped by a test) runs
on a thread of its own. Its ``ctx.directory`` is a :class:`DirectoryAccess`: the
directory's permission-checked operations (``get_user``, ``suspend_user`` …
``send_email``, and ``reporting``), each of which puts a request on a :class:`Line` and
waits for the answer. The run's own thread answers (:func:`serve`): it holds the directory
in a local variable of the loop that serves, and nowhere else a handler can follow.

So what a handler is given leads nowhere near the directory, the store or the DuckDB
connection: ``ctx.directory`` holds a queue of its own requests and a few plain facts (the
run's id, permissions, whether it is a dry run); no resolver, no handle, no closure over the
directory; an operation's result is a plain record; an exception it raises reaches the
handler without a traceback, cause or context (their frames held the directory). A run-as
role bounds everything a handler does through ``ctx``.

What it cannot bound: a handler is Python code running in this process, as its owner. Code
that walks the interpreter itself (``import``, ``sys._current_frames()``, ``gc``,
``object.__subclasses__()``, ``ctypes``, any module's globals) can reach every object of the
process, the run's thread included: README, "A custom action's reach", names these known
reaches; only a separate process bounds them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from wfbench.directory import Directory
from wfbench.errors import EffectUncertain

__all__ = ["OPERATIONS", "DirectoryAccess", "Line", "serve_one"]

#: The directory's operations a handler may call (each checks the run-as role first).
OPERATIONS: Final = tuple(
    sorted(
        name
        for name in dir(Directory)
        if not name.startswith("_")
        and callable(getattr(Directory, name))
        and name not in ("on", "reporting")
    )
)

_CHANGES: Final = "changes"  # the one request that is not an operation
DONE: Final = object()  # put on the line when the handler has returned or raised

CLOSED = (
    "this attempt is over (its handler returned, timed out or was cancelled); its "
    "ctx.directory no longer reaches the directory: use it only while the handler runs"
)


class Line:
    """Requests from a handler's threads to the run's thread. Holds the requests in flight
    and nothing else; once :meth:`close` returns, every request refuses."""

    __slots__ = ("_closed", "_lock", "requests")

    def __init__(self) -> None:
        self.requests: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def ask(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], deadline: Any) -> Any:
        """Send one request and wait for its answer: ``(ok, value, changes)``."""
        reply: queue.SimpleQueue[Any] = queue.SimpleQueue()
        with self._lock:
            if self._closed:
                raise EffectUncertain(CLOSED)
            self.requests.put((name, args, kwargs, deadline, reply))
        return reply.get()

    def finished(self) -> None:
        """The handler is done (the run's thread stops serving)."""
        self.requests.put(DONE)

    def close(self) -> None:
        """Refuse every request from now on, and answer those waiting with a refusal."""
        with self._lock:
            self._closed = True
        while True:
            try:
                item = self.requests.get_nowait()
            except queue.Empty:
                return
            if item is not DONE:
                item[-1].put((False, EffectUncertain(CLOSED), []))


def _bare(exc: BaseException) -> BaseException:
    """``exc`` without what leads back to the frames that raised it."""
    exc.__traceback__ = None
    exc.__cause__ = None
    exc.__context__ = None
    exc.__suppress_context__ = True
    return exc


def serve_one(directory: Any, item: Any) -> None:
    """Answer one request of a :class:`Line` with ``directory`` (on the run's thread)."""
    name, args, kwargs, deadline, reply = item
    changes: list[str] = []
    try:
        if name == _CHANGES:
            result: Any = tuple(directory.changes)
        else:
            if name not in OPERATIONS:  # only the line's own code sends names
                raise AttributeError(f"ctx.directory has no operation {name!r}")
            with directory.reporting(changes.append, deadline):
                result = getattr(directory, name)(*args, **kwargs)
    except Exception as exc:  # the handler's to catch, as if the directory raised it there
        reply.put((False, _bare(exc), changes))
    else:
        reply.put((True, result, changes))


class DirectoryAccess:
    """The permission-checked operations of a run's directory (see the module docstring)."""

    __slots__ = ("_facts", "_line", "_local")
    _facts: tuple[bool, str | None, frozenset[str] | None]
    _line: Line
    _local: threading.local

    def __init__(self, line: Line, facts: tuple[bool, str | None, frozenset[str] | None]) -> None:
        object.__setattr__(self, "_line", line)
        object.__setattr__(self, "_facts", facts)
        object.__setattr__(self, "_local", threading.local())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("ctx.directory is read-only")

    def __repr__(self) -> str:
        return "<directory access: " + ", ".join(OPERATIONS) + ">"

    def __reduce__(self) -> Any:
        raise TypeError("ctx.directory cannot be copied or pickled")

    @property
    def dry_run(self) -> bool:
        """Whether changes are only described (a dry run); they are rolled back."""
        return self._facts[0]

    @property
    def run_id(self) -> str | None:
        return self._facts[1]

    @property
    def permissions(self) -> frozenset[str] | None:
        """The run-as role's permissions, which every operation checks."""
        return self._facts[2]

    @property
    def changes(self) -> tuple[str, ...]:
        """The changes made so far in this run (a copy)."""
        result: tuple[str, ...] = self._ask(_CHANGES, (), {})
        return result

    def _sinks(self) -> list[tuple[Callable[[str], None], float | None]]:
        sinks: list[tuple[Callable[[str], None], float | None]] = self._local.__dict__.setdefault(
            "sinks", []
        )
        return sinks

    @contextmanager
    def reporting(
        self, sink: Callable[[str], None], deadline: float | None = None
    ) -> Iterator[DirectoryAccess]:
        """Pass each change this thread makes inside the block to ``sink`` too; requests
        to a SCIM directory respect ``deadline`` (``time.monotonic()``)."""
        sinks = self._sinks()
        sinks.append((sink, deadline))
        try:
            yield self
        finally:
            sinks.pop()

    def _ask(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        sinks = self._sinks()
        deadline = sinks[-1][1] if sinks else None
        ok, value, changes = self._line.ask(name, args, kwargs, deadline)
        for text in changes:
            for sink, _ in sinks:
                sink(text)
        if not ok:
            raise value
        return value


def _operation(name: str) -> Callable[..., Any]:
    def call(self: DirectoryAccess, *args: Any, **kwargs: Any) -> Any:
        return self._ask(name, args, kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = getattr(Directory, name).__doc__
    return call


for _name in OPERATIONS:
    setattr(DirectoryAccess, _name, _operation(_name))


def access(directory: Any, line: Line) -> DirectoryAccess:
    """The handler's side of ``line`` to ``directory`` (read on the run's thread)."""
    return DirectoryAccess(line, (bool(directory.dry_run), directory.run_id, directory.permissions))
