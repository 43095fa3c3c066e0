# The two commands in the README's Quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
AXE := tests/browser/node_modules/axe-core/axe.min.js
HOST ?= 127.0.0.1
PORT ?= 8000
## make test runs one test process per core (TEST_PROCESSES=0 for a single process)
TEST_PROCESSES ?= auto

.PHONY: install run test lint worker elasticsearch drill clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: browser accessibility tests will be skipped (CI requires it)"; fi

## Install, migrate, load the demo data and serve the hub at http://$(HOST):$(PORT)
## (the demo is loaded with tasks run in-process; the task worker then runs beside the server).
## Visitors get the hub's own pages (DEBUG off, so an unknown URL is the hub's 404), and every
## email the hub sends (by the worker) is printed here, on the console; the worker's log is var/worker.log.
DEMO_SECRET := var/demo-secret-key
DEMO_ENV = DEBUG=false SECRET_KEY="$$(cat $(DEMO_SECRET))" ALLOWED_HOSTS=$(HOST),localhost,127.0.0.1 \
	SECURE_COOKIES=false SITE_URL=http://$(HOST):$(PORT) \
	EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
run: install
	@mkdir -p var
	@test -s $(DEMO_SECRET) || $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' >$(DEMO_SECRET)
	$(BIN)/python manage.py migrate --no-input -v 0
	TASKS_BACKEND=immediate SITE_URL=http://$(HOST):$(PORT) $(BIN)/python manage.py load_demo
	@$(DEMO_ENV) $(BIN)/python manage.py collectstatic --no-input -v 0
	@echo "The hub is running at http://$(HOST):$(PORT)/ (admin at http://$(HOST):$(PORT)/admin/). Stop it with Ctrl+C."
	@echo "Emails the hub sends are printed below as they go."
	@$(DEMO_ENV) $(BIN)/python manage.py hub_worker --interval 2 2>var/worker.log & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Lint and run the whole test suite; the tooling starts Elasticsearch (and PostgreSQL where installed).
## The lint runs beside the tests' start-up (migrations, collection), and both must pass.
test: install $(AXE)
	@$(MAKE) --no-print-directory lint & lint=$$!; \
	$(BIN)/python -m pytest --numprocesses $(TEST_PROCESSES) --dist loadfile --no-loadscope-reorder --durations=25 $(PYTEST_ARGS); \
	tests=$$?; wait $$lint; linted=$$?; \
	if [ $$linted -ne 0 ]; then echo "make test: the lint failed (its messages are above)"; fi; \
	exit $$(( tests != 0 || linted != 0 ))

## The guard rails: style, import rules (.importlinter), types, migrations in step with the models
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m mypy
	$(BIN)/python manage.py makemigrations --check --dry-run -v 0 --settings=hub.settings.test

## The task worker (reconnects to a lost database; retries overdue work): index updates, emails, digests
worker: install
	$(BIN)/python manage.py hub_worker

## A local Elasticsearch node for development (python -m search.node stop to stop it)
elasticsearch: install
	$(BIN)/python -m search.node start

## The load-and-fault drill: the production-like stack on loopback under traffic while each dependency
## fails in turn; exits non-zero on any loss (DRILL_ARGS=--short for the one-minute version)
drill: install
	$(BIN)/python -m hub.drill $(DRILL_ARGS)

clean:
	rm -rf $(VENV) var tests/browser/node_modules
