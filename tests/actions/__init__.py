"""Tests of wfbench.actions, one module per module of the package."""
