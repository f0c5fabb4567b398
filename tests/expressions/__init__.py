"""Tests of wfbench.expressions, one module per module of the package."""
