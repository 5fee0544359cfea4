# The one list of commands. `make run` starts the whole stack; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help run test test-sqlite test-postgres test-cluster lint format bench bench-quick bench-writes check-deploy clean

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
	$(PY) -m scripts.run_stack

test: $(VENV)/.dev ## Run every test on SQLite, the database tests on PostgreSQL, the Redis tests on a cluster
	TEST_DATABASE=sqlite $(PY) -m pytest
	TEST_DATABASE=postgres $(PY) -m pytest
	TEST_DATABASE=sqlite TEST_REDIS=cluster $(PY) -m pytest tests/backend

test-sqlite: $(VENV)/.dev ## Run every test on SQLite (real Redis, gunicorn, headless Chromium)
	TEST_DATABASE=sqlite $(PY) -m pytest

test-postgres: $(VENV)/.dev ## Run the tests that touch the database on a private PostgreSQL
	TEST_DATABASE=postgres $(PY) -m pytest

test-cluster: $(VENV)/.dev ## Run the backend's Redis tests on a local Redis Cluster (3 masters, 3 replicas)
	TEST_DATABASE=sqlite TEST_REDIS=cluster $(PY) -m pytest tests/backend

lint: $(VENV)/.dev ## Check style with ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev ## Fix style with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.dev ## Benchmark reads at 1k, 100k and 1M players, then writes (about 25 minutes)
	$(PY) -m bench.run && $(PY) -m bench.writes

bench-quick: $(VENV)/.dev ## A one-minute smoke run of the benchmark
	$(PY) -m bench.run --quick

bench-writes: $(VENV)/.dev ## Benchmark score submissions on PostgreSQL and SQLite at 1M players
	$(PY) -m bench.writes

check-deploy: $(VENV)/.dev ## Check the App Runner definitions and both sites' `check --deploy`
	$(PY) -m pytest tests/deploy

clean: ## Remove the virtualenv, local data and collected static files
	rm -rf $(VENV) var/*.sqlite3* var/redis staticfiles
