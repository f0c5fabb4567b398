"""Tests of wfbench.engine, one module per module of the package."""
