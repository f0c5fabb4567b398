"""wfbench: build, run and study manual workflows in Jupyter.

The public face is small and pinned by ``tests/test_public_api.py``. Widgets,
the HTTP server and plotting are imported only when asked for.
"""

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
from wfbench.model import Workflow, dump_workflow
from wfbench.testing import Case, TestReport
from wfbench.training import ClassBoard, Exercise
from wfbench.validation import Issue, Report, load_workflow, validate
from wfbench.workbench import Workbench

__version__ = "0.1.0"

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
