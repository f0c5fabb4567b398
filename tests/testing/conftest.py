"""Workflow-test suites: the demo store fixtures (``db``, ``wb``) come from tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
# The cases files there are inputs of these tests, not tests of this suite.
collect_ignore_glob = ["fixtures/*"]
