# The one list of commands. `make run` starts the whole stack; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help run test lint format bench bench-quick check-deploy clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime ## Start Redis, the private backend (:8001) and the public site (:8000)
	$(PY) scripts/run_stack.py

test: $(VENV)/.dev ## Run every test (real Redis, gunicorn and headless Chromium)
	$(PY) -m pytest

lint: $(VENV)/.dev ## Check style with ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev ## Fix style with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.dev ## Benchmark both sites at 1k, 100k and 1M players (about 15 minutes)
	$(PY) -m bench.run

bench-quick: $(VENV)/.dev ## A one-minute smoke run of the benchmark
	$(PY) -m bench.run --quick

check-deploy: $(VENV)/.dev ## Check the App Runner definitions and both sites' `check --deploy`
	$(PY) -m pytest tests/deploy

clean: ## Remove the virtualenv, local data and collected static files
	rm -rf $(VENV) var/*.sqlite3* var/redis staticfiles
