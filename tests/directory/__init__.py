"""Tests of wfbench.directory, one module per module of the package."""
