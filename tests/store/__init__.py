"""Tests of wfbench.store, one module per module of the package."""
