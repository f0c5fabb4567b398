"""Tests of wfbench.widgets, one module per module of the package."""
