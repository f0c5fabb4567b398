"""What an action's handler gets as ``ctx.directory``: a capability, not the directory.

A :class:`DirectoryAccess` offers the directory's permission-checked operations
(``get_user``, ``suspend_user`` … ``send_email``, and ``reporting``) and nothing
else. It holds no reference to the :class:`~wfbench.directory.Directory` behind
it, to its connection or to anything that leads there: only an opaque number that
this module turns back into the directory while the run lasts. So nothing a
handler can walk from its context (attributes, ``__dict__``, ``vars``, slots,
closures, a bound method's ``__self__``, ``__wrapped__``, function globals,
``gc.get_referents``) reaches the DuckDB connection, and a run-as role bounds
what any handler can do through ``ctx``.

An exception a directory operation raises reaches the handler without the
directory's frames (their locals held the directory).

What it cannot do: a handler is Python code running in this process, so one that
goes looking for the process's objects elsewhere (``import wfbench.store.capability``
and its ``_resolve``, the same module reached through an operation's ``__globals__`` or
a frame's ``f_globals``, ``gc.get_objects()``, the call stack's frames, ``ctypes``, or
a ``Workbench`` it holds itself) can reach anything; a custom action is code you
chose to register, and the role bounds what the *run* asks for, not what arbitrary
code could do (README, "Security and failure model").
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from wfbench.directory import Directory
from wfbench.errors import AccessEnded

__all__ = [
    "OPERATIONS",
    "DirectoryAccess",
    "GrantedDirectory",
    "grant",
    "revoke",
]

# The handles of the directories granted now. Numbers only: nothing here leads to them.
_LIVE: set[int] = set()
_LIVE_LOCK = threading.RLock()  # re-entrant: a directory may go (__del__) while it is held

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


class GrantedDirectory(Directory):
    """A run's directory; forgets its handle when it goes, so no stale handle resolves."""

    def __del__(self) -> None:
        with _LIVE_LOCK:
            _LIVE.discard(id(self))


def _resolve(handle: int) -> Any:
    with _LIVE_LOCK:
        if handle not in _LIVE:
            raise AccessEnded(
                "this directory access has ended (its run is over); use ctx.directory "
                "only while the handler runs"
            )
        # The object is alive: the run's recorder holds it until it revokes the handle.
        found: Any = ctypes.cast(handle, ctypes.py_object).value
    return found


class DirectoryAccess:
    """The permission-checked operations of a run's directory (see the module docstring)."""

    __slots__ = ("_handle",)
    _handle: int

    def __init__(self, handle: int) -> None:
        object.__setattr__(self, "_handle", handle)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("ctx.directory is read-only")

    def __repr__(self) -> str:
        return "<directory access: " + ", ".join(OPERATIONS) + ">"

    def __reduce__(self) -> Any:
        raise TypeError("ctx.directory cannot be copied or pickled")

    @property
    def dry_run(self) -> bool:
        """Whether changes are only described (a dry run); they are rolled back."""
        return bool(_resolve(self._handle).dry_run)

    @property
    def run_id(self) -> str | None:
        run_id: str | None = _resolve(self._handle).run_id
        return run_id

    @property
    def permissions(self) -> frozenset[str] | None:
        """The run-as role's permissions, which every operation checks."""
        permissions: frozenset[str] | None = _resolve(self._handle).permissions
        return permissions

    @property
    def changes(self) -> tuple[str, ...]:
        """The changes made so far in this run (a copy)."""
        return tuple(_resolve(self._handle).changes)

    @contextmanager
    def reporting(
        self, sink: Callable[[str], None], deadline: float | None = None
    ) -> Iterator[DirectoryAccess]:
        """Pass each change this thread makes inside the block to ``sink`` too; requests
        to a SCIM directory respect ``deadline`` (``time.monotonic()``)."""
        with _resolve(self._handle).reporting(sink, deadline):
            yield self


def _operation(name: str) -> Callable[..., Any]:
    def call(self: DirectoryAccess, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(_resolve(self._handle), name)(*args, **kwargs)
        except Exception as exc:
            # Raised again without the directory's own frames: their locals hold the
            # directory (``self``) and its connection, which a handler must not reach
            # through the exception it catches.
            raise exc.with_traceback(None) from None

    call.__name__ = call.__qualname__ = name
    call.__doc__ = getattr(Directory, name).__doc__
    return call


for _name in OPERATIONS:
    setattr(DirectoryAccess, _name, _operation(_name))


def grant(directory: Any) -> DirectoryAccess:
    """A capability for ``directory``; the caller keeps ``directory`` alive until
    :func:`revoke`."""
    handle = id(directory)
    with _LIVE_LOCK:
        _LIVE.add(handle)
    return DirectoryAccess(handle)


def revoke(directory: Any) -> None:
    """End every capability for ``directory`` (before letting go of it)."""
    with _LIVE_LOCK:
        _LIVE.discard(id(directory))
