# The same commands CI uses. `make lab`, `make demo` and `make test` work on a fresh
# machine: they create .venv and install wfbench with its dev extra first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The embedded default store that `make lab` opens. JupyterLab starts each kernel in its
# notebook's folder, so the notebooks find this file through $WFBENCH_DB.
LAB_DB := $(CURDIR)/wfbench.duckdb
# JupyterLab refuses to run as root (in a container, say) unless told it may.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup lab app demo test lint format typecheck imports pytest e2e bench bench-quick bench-compare clean

# wfbench's bytecode, compiled here as a regular `pip install` would: the editable install
# does not, and with PYTHONDONTWRITEBYTECODE set every command would compile wfbench from
# source (about 40 ms of each start). Up-to-date files are skipped.
setup: $(STAMP)
	$(BIN)/python -m compileall -q wfbench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The URL it prints opens the quickstart (default_url); in JupyterLab the workbench's views
# open in their own tab by themselves (inline in Notebook 7, which comes with the dev extra:
# the same server answers /tree/quickstart.ipynb).
lab: setup
	WFBENCH_DB="$(LAB_DB)" $(BIN)/wfbench init --demo
	WFBENCH_DB="$(LAB_DB)" $(BIN)/jupyter lab $(LAB_FLAGS) \
		--ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/quickstart.ipynb

# The same workbench as a web page without code cells (Voila), on the same store.
app: setup
	WFBENCH_DB="$(LAB_DB)" $(BIN)/wfbench init --demo
	WFBENCH_DB="$(LAB_DB)" $(BIN)/wfbench app

demo: setup
	$(BIN)/python -m wfbench.demo

lint: setup
	$(BIN)/ruff check wfbench tests bench notebooks/conftest.py
	$(BIN)/ruff format --check wfbench tests bench notebooks/conftest.py

typecheck: setup
	$(BIN)/mypy

# The layers and the one door, as import-linter contracts ([tool.importlinter] in
# pyproject.toml): fails on any import that points up a layer or past the façade.
imports: setup
	$(BIN)/lint-imports

# tests/ and every notebook in notebooks/ (see [tool.pytest.ini_options] and
# notebooks/conftest.py: each notebook runs in its own kernel on a fresh store).
# tests/ includes tests/e2e/, the browser suite, so `make test` runs it too. Two xdist
# workers (the machine CI gives has two cores): a file stays on one worker, the browser
# suite stays whole on one (tests/conftest.py), so it runs while the rest loads the machine.
pytest: setup
	$(BIN)/pytest -n 2 --dist loadfile

# The browser suite alone: JupyterLab driven by Debian's Chromium (/usr/bin/chromium)
# through Playwright. Screenshots and timings land in tests/e2e/screenshots/ (or
# $WFBENCH_E2E_SCREENSHOTS).
e2e: setup
	$(BIN)/pytest -m e2e tests/e2e

test: lint typecheck imports pytest

format: setup
	$(BIN)/ruff format wfbench tests bench notebooks/conftest.py
	$(BIN)/ruff check --fix wfbench tests bench notebooks/conftest.py

# Every figure in bench/README.md comes from these scripts (about 20 minutes in all);
# `make bench-quick` is a smoke run of the same. Figures land in $(BENCH_OUT) as JSON.
BENCH_OUT ?= bench/results/latest
BENCH_SCRIPTS := startup commit api history runs long_run store_sharing cases batch_http

bench: setup
	mkdir -p $(BENCH_OUT)
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/canvas.py
	for s in $(BENCH_SCRIPTS); do $(BIN)/python bench/$$s.py --json $(BENCH_OUT)/$$s.json || exit 1; done
	$(BIN)/python bench/report.py $(BENCH_OUT)
	$(BIN)/python bench/directory_sql.py --json $(BENCH_OUT)/directory_sql.json | tee $(BENCH_OUT)/directory_sql.txt
	$(BIN)/python bench/scale.py | tee $(BENCH_OUT)/scale.txt
	$(BIN)/python bench/classroom.py --seconds 60 | tee $(BENCH_OUT)/classroom.txt
	$(BIN)/python bench/scim.py --json $(BENCH_OUT)/scim.json | tee $(BENCH_OUT)/scim.txt

# Issue 22's four ratios on the code at $(BEFORE) (another checkout, e.g. main's) and on this
# one, script by script in one run: `make bench-compare BEFORE=/path/to/main`.
BEFORE ?=
bench-compare: setup
	test -n "$(BEFORE)" || { echo "give BEFORE=/path/to/a/checkout"; exit 2; }
	$(BIN)/python bench/compare.py --before "$(BEFORE)" --out $(BENCH_OUT)/issue22

bench-quick: setup
	mkdir -p $(BENCH_OUT)
	for s in $(BENCH_SCRIPTS); do $(BIN)/python bench/$$s.py --quick --json $(BENCH_OUT)/$$s.json || exit 1; done
	$(BIN)/python bench/report.py $(BENCH_OUT)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
