"""Browser end-to-end tests: JupyterLab driven by Chromium through Playwright (marker ``e2e``)."""
