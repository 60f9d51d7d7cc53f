# Resonance: `make run` starts the whole platform, `make test` runs the test suite.
# Both install what is missing first (uv and the Python packages, PostgreSQL, Kafka's jars).

SHELL := /bin/bash
PYTHON ?= python3
# uv as a module of the interpreter that installed it: no PATH assumptions on a fresh machine.
UV := $(PYTHON) -m uv
export UV_LINK_MODE ?= copy

.PHONY: help deps run test test-unit lint fmt asyncapi clients bench clean chart-check

help:
	@echo "make run       start PostgreSQL, Kafka, the OIDC provider, the services and demo data"
	@echo "make test      unit + integration tests against real PostgreSQL and Kafka"
	@echo "make lint      ruff (lint + format check) and mypy"
	@echo "make asyncapi  regenerate docs/asyncapi.json from the event catalogue"
	@echo "make clients   regenerate the TypeScript clients under clients/ from the OpenAPI documents"
	@echo "make bench     run the benchmarks under bench/"
	@echo "make chart-check  render the Helm chart and validate it against the Kubernetes schemas"

.venv/.synced: uv.lock pyproject.toml $(wildcard */*/pyproject.toml)
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	$(UV) sync --frozen
	@touch $@

deps: .venv/.synced
	$(UV) run --frozen python -m resonance.devstack deps

run: deps
	$(UV) run --frozen python -m resonance.devstack run

test: deps
	$(UV) run --frozen pytest

test-unit: .venv/.synced
	$(UV) run --frozen pytest -m "not integration"

lint: .venv/.synced
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy libs/common/src libs/socialtext/src deploy/local/src services/*/src

fmt: .venv/.synced
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

asyncapi: .venv/.synced
	$(UV) run --frozen python -m resonance.common.events.asyncapi docs/asyncapi.json

# Needs node and npm; the generator is pinned in clients/package-lock.json (npm ci).
clients: .venv/.synced
	$(UV) run --frozen python clients/generate.py

# The full campaign (10,000 ambassadors) takes a long while: `make bench CAMPAIGN_ARGS=` runs it.
CAMPAIGN_ARGS ?= --ambassadors 1000
bench: deps
	@for b in bench/*.py; do [ $$b = bench/campaign.py ] && continue; echo "== $$b"; $(UV) run --frozen python $$b || exit 1; done
	@echo "== bench/campaign.py $(CAMPAIGN_ARGS)"; $(UV) run --frozen python bench/campaign.py $(CAMPAIGN_ARGS)

# helm and kubeconform built once from the Go module proxy, schemas from PyPI; all offline after.
chart-check:
	deploy/helm/chart-check.sh

clean:
	rm -rf .data .venv .pytest_cache .ruff_cache .mypy_cache
