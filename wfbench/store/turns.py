"""Turns between processes on one store file: a first-come, first-served line.

DuckDB lets one process at a time open a file and refuses the others at once, so
left alone they poll, and one that lets go and comes back quickly can win every
race while another loses for its whole wait. Processes therefore queue for the
file in a line kept beside it (``<store>.turns``):

* a newcomer takes the next ticket (one byte appended to the file, under a short
  lock on its first byte) and locks the byte of its own ticket;
* it then waits, blocked in the kernel, on the byte of the ticket before its own:
  the kernel wakes it the moment the process ahead lets go (no polling, no
  overtaking: each waits only for the one just ahead of it);
* it holds its byte while it holds the file, and lets go of it after closing the
  file, which wakes the next in line.

The locks are Linux open-file-description locks: the kernel drops them when a
process dies, so a crash never blocks the line. Threads and stores of one
process share one place in line per file. Where such locks do not exist (or the
folder cannot hold the line's file) there is no line, only DuckDB's refusal and
the store's bounded retry.
"""

from __future__ import annotations

import os
import struct
import threading
from dataclasses import dataclass, field
from typing import Final

try:
    import fcntl

    _SETLK: int | None = fcntl.F_OFD_SETLK
    _SETLKW: int | None = fcntl.F_OFD_SETLKW
except (ImportError, AttributeError):  # not Linux: no line
    _SETLK = _SETLKW = None

__all__ = ["Line", "line_for"]

_GATE: Final = 0  # the byte locked while a ticket is taken
_BASE: Final = 1 << 30  # ticket t locks byte _BASE + t


def _lock(fd: int, command: int, kind: int, start: int) -> None:
    # struct flock: l_type, l_whence, l_start, l_len, l_pid (0 for OFD locks), padding
    fcntl.fcntl(fd, command, struct.pack("hhqqi4x", kind, os.SEEK_SET, start, 1, 0))


@dataclass
class _Ticket:
    fd: int
    number: int
    abandoned: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class Line:
    """This process's place in the line of one store file (shared by its threads)."""

    def __init__(self, path: str) -> None:
        self.path = path + ".turns"
        self._cond = threading.Condition()
        self._users = 0
        self._acquiring = False
        self._ticket: _Ticket | None = None

    # -- the process's turn, shared by its threads

    def acquire(self, timeout: float) -> bool:
        """Wait (at most ``timeout`` s) for this process's turn; ``False`` if it did not
        come. Re-entrant: threads that find the turn held join it."""
        with self._cond:
            if not self._cond.wait_for(lambda: not self._acquiring, timeout):
                return False
            if self._users:
                self._users += 1
                return True
            self._acquiring = True
        ticket: _Ticket | None = None
        try:
            ticket = self._wait_turn(timeout)
        finally:
            with self._cond:
                self._acquiring = False
                if ticket is not None:
                    self._ticket, self._users = ticket, 1
                self._cond.notify_all()
        return ticket is not None

    def release(self) -> None:
        """This thread is done with the file; the last one out lets the next process in."""
        with self._cond:
            self._users -= 1
            if self._users > 0 or self._ticket is None:
                return
            ticket, self._ticket = self._ticket, None
        if ticket.fd >= 0:
            _start_over_if_alone(ticket)
            os.close(ticket.fd)  # drops the ticket's lock: wakes the next in line

    def others_waiting(self) -> bool:
        """Whether another process (or store) took a ticket after this process's."""
        ticket = self._ticket
        if ticket is None or ticket.fd < 0:
            return False
        try:
            return os.stat(self.path).st_size > ticket.number
        except OSError:
            return False

    # -- the line

    def _wait_turn(self, timeout: float) -> _Ticket | None:
        if _SETLKW is None or _SETLK is None:
            return _Ticket(-1, 0)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o666)
        except OSError:  # a folder we may not write: no line
            return _Ticket(-1, 0)
        try:
            _lock(fd, _SETLKW, fcntl.F_WRLCK, _GATE)
            os.write(fd, b".")
            number = os.lseek(fd, 0, os.SEEK_CUR)
            _lock(fd, _SETLK, fcntl.F_WRLCK, _BASE + number)
            _lock(fd, _SETLK, fcntl.F_UNLCK, _GATE)
        except OSError:  # locks refused (a file system without them): no line
            os.close(fd)
            return _Ticket(-1, 0)
        ticket = _Ticket(fd, number)
        if number <= 1 or _try_lock(fd, _BASE + number - 1):
            return ticket  # nobody ahead: no thread, no wait
        came = threading.Event()
        waiter = threading.Thread(
            target=_wait_for_the_one_ahead, args=(ticket, came), daemon=True, name="wfbench-turn"
        )
        waiter.start()
        if came.wait(timeout):
            return ticket
        with ticket.lock:
            if came.is_set():  # it came just now
                return ticket
            # Its byte stays locked: whoever queued behind it still waits for the one
            # ahead; the waiter closes the file (dropping the lock) when that one leaves.
            ticket.abandoned = True
        return None


def _start_over_if_alone(ticket: _Ticket) -> None:
    """Empty the line's file when nobody took a ticket after this one (so it stays a few
    bytes long); under the ticket lock, so no newcomer takes one meanwhile."""
    assert _SETLKW is not None and _SETLK is not None
    try:
        _lock(ticket.fd, _SETLKW, fcntl.F_WRLCK, _GATE)
        if os.fstat(ticket.fd).st_size == ticket.number:
            os.ftruncate(ticket.fd, 0)
        _lock(ticket.fd, _SETLK, fcntl.F_UNLCK, _GATE)
    except OSError:
        pass  # a line that grows is only a few bytes more


def _try_lock(fd: int, byte: int) -> bool:
    """Whether ``byte`` was free (it is left unlocked either way)."""
    assert _SETLK is not None
    try:
        _lock(fd, _SETLK, fcntl.F_RDLCK, byte)
    except OSError:
        return False
    _lock(fd, _SETLK, fcntl.F_UNLCK, byte)
    return True


def _wait_for_the_one_ahead(ticket: _Ticket, came: threading.Event) -> None:
    assert _SETLKW is not None and _SETLK is not None
    try:
        _lock(ticket.fd, _SETLKW, fcntl.F_RDLCK, _BASE + ticket.number - 1)
        _lock(ticket.fd, _SETLK, fcntl.F_UNLCK, _BASE + ticket.number - 1)
    except OSError:
        pass  # the file went away: go ahead, DuckDB's own lock still guards the file
    with ticket.lock:
        if ticket.abandoned:
            os.close(ticket.fd)
            return
        came.set()


_LINES: dict[str, Line] = {}
_LINES_LOCK = threading.Lock()


def line_for(path: str) -> Line:
    """The line of the store file ``path`` (one per process and file)."""
    with _LINES_LOCK:
        line = _LINES.get(path)
        if line is None:
            line = _LINES[path] = Line(path)
        return line
