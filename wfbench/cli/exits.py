"""Exit codes (PRODUCT.md section 5), and the one table that maps errors to them.

0 success; 1 a run that failed or a definition that is invalid; 2 a usage error or
an unreadable file; 3 a run that was rejected (bad input, disabled workflow); 4 the
store stayed busy past the wait (another process held it; nothing was done), or the
batch is running already (in this or another process; nothing was done).
"""

from __future__ import annotations

from typing import Final

from wfbench.errors import BatchRunning, NotFound, RunRejected, StoreBusy, UsageError, WfbenchError

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_REJECTED: Final = 3
EXIT_BUSY: Final = 4
#: What ``main`` answers to Ctrl-C, as shells do.
EXIT_INTERRUPTED: Final = 130

#: An error that reaches ``main`` exits with the code of its first class here.
EXIT_CODES: Final[tuple[tuple[type[WfbenchError], int], ...]] = (
    (StoreBusy, EXIT_BUSY),
    (BatchRunning, EXIT_BUSY),
    (RunRejected, EXIT_REJECTED),
    (UsageError, EXIT_USAGE),
    (NotFound, EXIT_USAGE),
    (WfbenchError, EXIT_FAILED),
)


def exit_code(error: WfbenchError) -> int:
    """The exit code for ``error`` (see :data:`EXIT_CODES`)."""
    return next(code for kind, code in EXIT_CODES if isinstance(error, kind))
