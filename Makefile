# Reloop: `make demo` serves the demo, `make test` runs every check. Both create .venv when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RELOOP := $(BIN)/reloop

.PHONY: demo install install-dev test check lint format typecheck contracts migrations-check pytest messages bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Reloop needs Python 3.11 or newer: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install  ## migrate a SQLite database, load demo data, serve http://127.0.0.1:8000
	$(RELOOP) demo

test: install-dev lint typecheck contracts migrations-check pytest  ## everything CI runs

check: test

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install-dev
	$(BIN)/mypy

contracts: install-dev
	$(BIN)/lint-imports

migrations-check: install-dev
	$(RELOOP) makemigrations --check --dry-run

# The suite runs on PYTEST_WORKERS processes (pytest-xdist): one per core up to 4 by default, 0 = in this process
# only. Test modules that share the local servers (Redis, RabbitMQ, web processes) stay on one worker (conftest.py).
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(min(4, os.cpu_count() or 1))')
pytest: install-dev
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

messages: install-dev  ## extract and compile translations (needs GNU gettext)
	cd src/reloop && ../../$(RELOOP) makemessages -l fr -l de -l es -l it --ignore='*/tests/*' --no-obsolete
	cd src/reloop && ../../$(RELOOP) compilemessages --ignore=.venv

bench: install-dev
	$(RELOOP) bench --size medium

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
