"""Training suites: the demo store fixtures (``db``, ``wb``) come from tests/conftest.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # solutions.py, for the tests and learners
