# The two commands of the README: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make run PORT=8001 SANDBOX_PORT=8766` when the default ports are taken.
PORT ?= 8000
SANDBOX_PORT ?= 8765

.PHONY: run test lint format venv clean screenshots

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(PY) manage.py demo --addr 127.0.0.1:$(PORT) --sandbox-port $(SANDBOX_PORT)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Every picture of docs/img/ again, from a fresh demo in headless Chromium (docs/screenshots.py).
screenshots: $(STAMP)
	$(PY) docs/screenshots.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports  # the layers of docs/architecture.md (pyproject.toml)

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var/*.sqlite3
