# The README's two commands: `make demo` and `make test`. Both set up everything they need.
# `make e2e` runs the act suite alone (the four flows end to end); `make test` runs it too.
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
CACHE  ?= $(or $(GITOPS_ACTION_CACHE),$(HOME)/.cache/gitops-action)
export GITOPS_ACTION_CACHE := $(CACHE)
export PATH := $(BIN):$(CACHE)/bin:$(PATH)

.PHONY: demo test lint typecheck pytest e2e tools cluster cluster-down cluster-build bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# helm and actionlint (built from Go modules) and the GitHub OpenAPI description, in the cache
tools: venv
	tools/ensure-helm
	tools/ensure-actionlint
	tools/ensure-openapi

demo: venv
	$(BIN)/python examples/demo.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy

pytest: tools cluster-build
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# The act suite: the real action.yml on the example workflows and this project's own, every
# flow end to end against the GitHub fake and the local control plane.
e2e: tools cluster-build
	$(BIN)/pytest tests/action $(PYTEST_ARGS)

cluster-build: venv
	$(BIN)/python -m tests.cluster build

cluster: cluster-build
	$(BIN)/python -m tests.cluster up

cluster-down: venv
	$(BIN)/python -m tests.cluster down

bench: tools cluster-build
	$(BIN)/python -m bench $(BENCH_ARGS)

clean: cluster-down
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .demo bench/out
