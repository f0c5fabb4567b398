"""wfbench: build, run and study manual workflows in Jupyter.

The public face is small and pinned by ``tests/test_wfbench.py``. Widgets,
the HTTP server and plotting are imported only when asked for; so are the façade,
the model and validation (on first use of the name, PEP 562), so that
``wfbench --help`` and ``import wfbench.cli`` load only what a command needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wfbench._lazy import on_first_use
from wfbench.errors import (
    ActionError,
    DefinitionError,
    ExpressionError,
    InputError,
    NotFound,
    PermissionDenied,
    RunRejected,
    StoreBusy,
    WfbenchError,
)

if TYPE_CHECKING:
    from wfbench.model import Workflow, dump_workflow
    from wfbench.testing import Case, TestReport
    from wfbench.training import ClassBoard, Exercise
    from wfbench.validation import Issue, Report, load_workflow, validate
    from wfbench.workbench import Workbench

__version__ = "0.1.0"

#: The public names imported on first use, and the module each comes from.
_LAZY = {
    "Workflow": "wfbench.model",
    "dump_workflow": "wfbench.model",
    "Issue": "wfbench.validation",
    "Report": "wfbench.validation",
    "load_workflow": "wfbench.validation",
    "validate": "wfbench.validation",
    "Workbench": "wfbench.workbench",
    "Case": "wfbench.testing",
    "TestReport": "wfbench.testing",
    "ClassBoard": "wfbench.training",
    "Exercise": "wfbench.training",
}


__getattr__ = on_first_use(globals(), _LAZY)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ActionError",
    "Case",
    "ClassBoard",
    "DefinitionError",
    "Exercise",
    "ExpressionError",
    "InputError",
    "Issue",
    "NotFound",
    "PermissionDenied",
    "Report",
    "RunRejected",
    "StoreBusy",
    "TestReport",
    "WfbenchError",
    "Workbench",
    "Workflow",
    "__version__",
    "dump_workflow",
    "load_workflow",
    "validate",
]
