# Innkeeper — one entry point for developers, CI and operators. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PACKAGES := shared/contracts shared/service-kit shared/client services/command-service services/projector services/query-service services/notifier
SOURCES := shared/contracts/src shared/service-kit/src shared/client/src services/command-service/src services/projector/src services/query-service/src services/notifier/src tests/integration/testkit conformance

# Local services (this machine's PostgreSQL and RabbitMQ); override in the environment.
export POSTGRES_DSN ?= postgresql://postgres@127.0.0.1:5432/test
export RABBITMQ_URL ?= amqp://guest:guest@127.0.0.1:5672/

.PHONY: help install lint format test test-unit test-integration run demo token pii-key migrate verify backup restore bench conformance docs docs-check contracts-check up down

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(VENV)/.installed: constraints.txt pyproject.toml $(addsuffix /pyproject.toml,$(PACKAGES))
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt $(addprefix -e ,$(PACKAGES)) -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## build the project virtualenv at .venv

lint: install ## ruff and mypy (strict)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(SOURCES)

format: install ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The integration tests start with scripts/preflight.py: one line naming what is missing (exit 4), not
# hundreds of failing tests.
test: install ## unit and integration tests against the local PostgreSQL, RabbitMQ and MongoDB stand-in
	$(PY) scripts/preflight.py test
	$(PY) -m pytest

test-unit: install ## unit tests only (no infrastructure)
	$(PY) -m pytest shared/contracts/tests shared/service-kit/tests shared/client/tests bench/tests conformance/tests services/command-service/tests services/projector/tests services/query-service/tests services/notifier/tests

test-integration: install ## integration tests only
	$(PY) scripts/preflight.py test
	$(PY) -m pytest tests/integration

run: install ## check the prerequisites, then run the four services and the MongoDB stand-in locally; Ctrl-C stops them all
	$(PY) scripts/run_local.py

demo: install ## drive a short story through the public APIs of a running system (`make run` first)
	$(PY) scripts/demo.py

token: install ## print a development bearer token: ROLE=guest|staff|admin|service [SUBJECT=…] [HOTELS=id,…]
	@$(PY) scripts/dev_token.py --role "$(ROLE)" --subject "$(SUBJECT)" --hotels "$(HOTELS)"

pii-key: install ## print a new master key for PII_MASTER_KEYS (ID=k1): put it first, keep the old ones after it
	@$(PY) -c "from innkeeper_kit.personal import MasterKeys; print(MasterKeys.new_setting('$(or $(ID),k1)'))"

migrate: install ## apply the command service's SQL migrations to POSTGRES_DSN
	$(PY) -m command_service migrate

verify: install ## compare the live read model with a fresh rebuild from the event log
	$(PY) -m projector verify

backup: install ## pg_dump the source of truth (POSTGRES_DSN: write model, event log, notifier) to backups/<time>.dump
	$(PY) scripts/backup.py

restore: install ## restore a backup into an empty database: FROM=backups/<time>.dump [FORCE=yes to replace its contents]
	$(PY) scripts/restore.py --from "$(FROM)" $(if $(FORCE),--force)

bench: install ## benchmarks: Innkeeper against the raw limits of its parts, in one run
	$(PY) bench/run.py

conformance: install ## the guarantees under load while things fail: SCENARIO=all|ci|name|a,b TARGET=local|compose; writes docs/conformance.md
	$(PY) scripts/preflight.py test
	$(PY) conformance/run.py $(if $(SCENARIO),--scenario "$(SCENARIO)") $(if $(TARGET),--target "$(TARGET)")

docs: install ## write OpenAPI, AsyncAPI and JSON Schemas into docs/ (deterministic; commit them)
	$(PY) scripts/write_docs.py

docs-check: install ## fail with a diff when docs/ (OpenAPI, AsyncAPI, JSON Schemas) is stale
	$(PY) scripts/write_docs.py --check

# The contracts as integrators use them (tools/contracts/README.md): npm tools pinned in its package.json,
# installed here (no lock file), generated clients under tools/contracts/build/ (git-ignored).
CONTRACTS := tools/contracts

$(CONTRACTS)/node_modules/.installed: $(CONTRACTS)/package.json
	npm install --prefix $(CONTRACTS) --no-package-lock --no-audit --no-fund --loglevel=error
	touch $@

contracts-check: install $(CONTRACTS)/node_modules/.installed ## validate the AsyncAPI; generate and compile TypeScript and Python clients; no breaking contract change
	node $(CONTRACTS)/validate_asyncapi.mjs docs/asyncapi/innkeeper.json
	rm -rf $(CONTRACTS)/build/typescript
	node $(CONTRACTS)/generate_typescript.mjs docs/openapi $(CONTRACTS)/build/typescript
	$(CONTRACTS)/node_modules/.bin/tsc -p $(CONTRACTS)/tsconfig.json
	$(PY) $(CONTRACTS)/check_python_clients.py
	$(PY) scripts/check_compatibility.py

up: install ## docker compose: build and start the whole stack (makes the development signing key first)
	$(PY) -m innkeeper_kit.auth.dev .run/auth
	docker compose up --build -d

down: ## docker compose: stop the stack
	docker compose down
