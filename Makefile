# The same commands CI uses. `make demo` and `make test` work on a fresh machine:
# they create .venv and install wfbench with its dev extra first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test lint format typecheck pytest bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(BIN)/python -m wfbench.demo

lint: setup
	$(BIN)/ruff check wfbench tests bench
	$(BIN)/ruff format --check wfbench tests bench

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest

test: lint typecheck pytest

format: setup
	$(BIN)/ruff format wfbench tests bench
	$(BIN)/ruff check --fix wfbench tests bench

bench: setup
	$(BIN)/python bench/validate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
