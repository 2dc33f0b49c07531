# Set-up and checks. Each target works on a fresh machine with Python 3.11 only:
# it creates .venv and installs what it needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: demo test lint typecheck pytest slow coverage-table bench docs clean

$(BIN)/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-core: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e ".[plot]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e ".[test,plot]"
	touch $(VENV)/.installed-core $@

demo: $(VENV)/.installed-core
	$(PY) examples/demo.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks examples

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	MPLBACKEND=Agg $(BIN)/pytest -q -p no:cacheprovider

test: lint typecheck pytest

slow: $(VENV)/.installed-test
	MPLBACKEND=Agg $(BIN)/pytest -q -p no:cacheprovider -m "slow or not slow"

coverage-table: $(VENV)/.installed-test
	$(PY) benchmarks/coverage_table.py

bench: $(VENV)/.installed-test
	$(PY) benchmarks/bench_scores.py

docs: | $(BIN)/activate
	$(PY) -m pip install --quiet -e ".[docs]"
	$(BIN)/sphinx-build -q -b html docs docs/_build/html

clean:
	rm -rf $(VENV) docs/_build .mypy_cache .ruff_cache .pytest_cache
