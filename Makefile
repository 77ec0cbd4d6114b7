# Two entry points for a fresh machine (see README "Quick start"):
#   make synth   install everything, then synthesize the example app offline (cdk.out/)
#   make test    install everything, then lint, type-check and run the test suite
# Everything installs into .venv/ and node_modules/ from PyPI and npm; nothing else is assumed.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# The venv's bin first: its `node` is the supported Node.js that pip installed (the `node` extra).
export PATH := $(BIN):$(PATH)
export CDK_DISABLE_CLI_TELEMETRY := true
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: setup synth test lint bench docs clean integ-snapshot integ-update

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,node]'
	touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

# ARGS passes options to `cdk synth`, e.g. make synth ARGS="-c request=examples/advanced-phases.json"
synth: setup
	node_modules/.bin/cdk synth --no-notices $(ARGS) > /dev/null
	@echo "Synthesized into cdk.out/ (the example app: cdk.out/InfrecExample.template.json)"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# integ-runner over tests/integ (tests/integ/integ.config.json), offline: integ-snapshot diffs each
# app's fresh synth with its committed snapshot (make test does too: tests/test_integ_snapshots.py);
# integ-update rewrites the snapshots that differ, deploying nothing. Review `git diff` after it.
# CDK's own template validation only prints warnings: off, as in the tests (2 s a synth); no
# stack traces in the metadata either (they name random temporary paths: churn in every update).
INTEG_RUNNER := CDK_VALIDATION=false CDK_DISABLE_STACK_TRACE=1 node_modules/.bin/integ-runner --config tests/integ/integ.config.json

integ-snapshot: setup
	$(INTEG_RUNNER)

integ-update: setup
	$(INTEG_RUNNER) --update-on-failed --dry-run

# The benchmarks of README "Performance" (not tests: they time whole processes; a few minutes).
bench: setup
	$(BIN)/python -m benchmarks $(ARGS)

# The API reference of the public names (infrec_cdk.__all__), from their docstrings, as HTML in
# $(DOCS_DIR)/ (not committed), with pdoc.
DOCS_DIR ?= docs/api
docs: setup
	$(BIN)/python docs/build_api.py $(DOCS_DIR)
	@echo "API reference in $(DOCS_DIR)/index.html"

clean:
	rm -rf $(VENV) node_modules cdk.out $(DOCS_DIR) .mypy_cache .ruff_cache .pytest_cache
