# Relais: `make run` starts everything on this machine, `make test` checks everything.
# Both set up what they need from nothing (uv, Python packages, Kafka's jars, FerretDB's build).

SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.9.30
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
export UV_CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/relais/uv
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run test lint typecheck pytest browsers infra-up infra-down infra-status bench schemas clean reliability

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: ## install the pinned uv (if missing) and every Python package from uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		{ echo "installing uv $(UV_VERSION) with pip"; python3 -m pip install -q "uv==$(UV_VERSION)"; }
	@$(UV) sync --frozen --all-packages --quiet

run: setup ## start Kafka, FerretDB and every service; Ctrl-C stops all of it
	@$(UV) run --frozen relais-infra run

test: setup lint typecheck pytest ## lint, type-check, then every test against real servers

lint: setup ## ruff lint and format check, import contracts
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports

MEMBERS := libs/events libs/kit deploy/local $(wildcard services/*)

# One mypy run per workspace member: test modules of different members share names (conftest).
typecheck: setup ## mypy --strict over every package and its tests
	@set -e; for m in $(MEMBERS); do \
		paths="$$m/src"; find "$$m/tests" -name '*.py' 2>/dev/null | grep -q . && paths="$$paths $$m/tests"; \
		echo "mypy $$paths"; $(UV) run --frozen mypy $$paths; \
	done
	$(UV) run --frozen mypy conftest.py $(wildcard tests bench)

pytest: setup browsers ## the test suite (starts the servers it needs and stops them)
	$(UV) run --frozen pytest $(PYTEST_ARGS)

# The fault-injection suite also runs in `make test` (about 10 minutes); this runs it alone, with
# loads RELAIS_RELIABILITY_SCALE times longer (default 5). It starts its own Kafka and FerretDB
# on free ports, whatever RELAIS_KAFKA_BOOTSTRAP / RELAIS_MONGO_URI say: it kills them.
reliability: setup ## the fault-injection suite alone, longer loads (RELAIS_RELIABILITY_SCALE=5)
	RELAIS_RELIABILITY_SCALE=$${RELAIS_RELIABILITY_SCALE:-5} $(UV) run --frozen pytest tests/reliability -p no:cacheprovider -o timeout=1800 $(PYTEST_ARGS)

# The console's browser tests drive Debian's Chromium (Playwright, no browser download).
browsers: ## install Debian's chromium and chromium-driver when missing (as root), else say how
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium and chromium-driver with apt-get (the console's browser tests)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "the console's browser tests need Debian's chromium and chromium-driver; install them:"; \
		echo "  sudo apt-get install -y chromium chromium-driver"; \
		echo "(or point RELAIS_CHROMIUM at a Chromium binary); without it those tests fail."; \
	fi

infra-up: setup ## start the local Kafka and FerretDB (idempotent)
	@$(UV) run --frozen relais-infra up

infra-down: setup ## stop what infra-up started
	@$(UV) run --frozen relais-infra down

infra-status: setup ## which local servers are up
	@$(UV) run --frozen relais-infra status

bench: setup ## benchmarks (not tests): store, outbox, end-to-end sweep and 400/s, rebuild
	$(UV) run --frozen python -m bench.store
	$(UV) run --frozen python bench/outbox.py
	$(UV) run --frozen python -m bench.e2e --sweep 50,100,200,400,600,800 --duration 30
	$(UV) run --frozen python -m bench.e2e --rate 400 --duration 60
	$(UV) run --frozen python -m bench.e2e --rate 1000 --duration 30 --skip-baselines
	$(UV) run --frozen python -m bench.rebuild

schemas: setup ## regenerate the committed event JSON schemas and docs/asyncapi.yaml
	$(UV) run --frozen python -m relais_events.schemas
	$(UV) run --frozen python -m relais_events.asyncapi

clean: ## remove local state (.relais: Kafka and FerretDB data)
	@$(UV) run --frozen relais-infra down || true
	rm -rf .relais
