# The one list of commands. `make run` starts the whole stack; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help run test test-sqlite test-postgres test-cluster lint format lock bench bench-quick bench-writes chaos check-deploy clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# Installs come from the lock files only: every package pinned, every file checked by hash.
$(VENV)/.runtime: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@

run: $(VENV)/.runtime ## Start Redis, the private backend (:8001) and the public site (:8000)
	$(PY) -m scripts.run_stack

# The three passes share nothing (each starts its own servers on free ports), so two run at
# once: most of a pass is waiting on servers, and the suite takes about half the time.
test: $(VENV)/.dev ## Run every test on SQLite, the database tests on PostgreSQL, the Redis tests on a cluster
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres test-cluster

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

chaos: $(VENV)/.dev ## Fault drills under load: Redis, PostgreSQL, workers, restarts, a slow backend (about 4 minutes)
	$(PY) -m bench.chaos

# Hashes for every platform the package index has files for (the image is Linux, laptops may
# not be), from the index pip is configured with; the lock names no index or local folder.
LOCK := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

lock: $(VENV)/.dev ## Regenerate requirements*.lock from requirements*.txt (pip-compile)
	$(LOCK) --output-file=requirements.lock requirements.txt
	$(LOCK) --output-file=requirements-dev.lock requirements-dev.txt

check-deploy: $(VENV)/.dev ## Check the image, compose, ECS and App Runner definitions and both sites' `check --deploy`
	$(PY) -m pytest tests/deploy

clean: ## Remove the virtualenv, local data and collected static files
	rm -rf $(VENV) var/*.sqlite3* var/redis staticfiles
