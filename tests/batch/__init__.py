"""Tests of wfbench.batch, one module per module of the package."""
