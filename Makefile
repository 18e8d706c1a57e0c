# Every target sets up what it needs first: a fresh clone runs `make test` or `make run`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
# jsii prints a banner on every synth while Node 20 is past end-of-life; the value names the major.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The OpenAPI linter sends no usage data and looks for no newer version.
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true

.PHONY: help setup test lint unit infrastructure e2e smoke package synth run openapi clients validator deploy erase analytics-backfill clean lrs lrs-setup event-schemas

.DEFAULT_GOAL := help

help: ## this list (every target with a ## comment in this Makefile)
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-z0-9-]+:[^#]*## / {printf "  make %-19s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: $(READY) ## install what every target needs (.venv, the pinned npm tools); again only when a pin changes

# Re-run the installs only when a pin changes; pip and npm ci are idempotent anyway.
$(READY): requirements.txt requirements-dev.txt lambdas/requirements.txt pyproject.toml package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: lint unit infrastructure e2e package ## everything CI runs, fastest tier first

# The test tiers (tests/<tier>), each runnable alone.
unit: $(READY) ## rules, handlers on moto, the local gateway in-process: under a minute
	$(BIN)/python -m pytest tests/unit

infrastructure: $(READY) ## CloudFormation assertions, every stage synthesised with cdk-nag and cfn-lint
	$(BIN)/python -m pytest tests/infrastructure

package: $(READY) ## the construct built as a wheel, installed fresh, used by examples/consumer_app
	$(BIN)/python -m pytest tests/package

lint: $(READY) ## ruff, mypy (strict), Redocly and Spectral on docs/openapi/, actionlint on the workflows
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	npx redocly lint --format=stylish docs/openapi/*.json
	npx spectral lint --fail-severity=warn docs/openapi/*.json
	$(BIN)/actionlint -shellcheck=$(BIN)/shellcheck

run: $(READY) ## the API on http://127.0.0.1:3000 (PORT=...), over an embedded DynamoDB; AUTH=header|jwt|iam
	@$(BIN)/python -m local_run

# A real Learning Record Store (Ralph) in a virtualenv of its own: its pins clash with the
# dev tools'. The e2e tier starts one per run; against a deployed stage it is not needed.
LRS_VENV := .venv-lrs
LRS_READY := $(LRS_VENV)/.ready

$(LRS_READY): requirements-lrs.txt
	test -x $(LRS_VENV)/bin/python || $(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/python -m pip install --quiet -r requirements-lrs.txt
	touch $@

lrs-setup: $(LRS_READY) ## install Ralph, the local LRS, in .venv-lrs (make e2e and make lrs do it first)

lrs: $(READY) $(LRS_READY) ## a local LRS for `LRS_ENDPOINT=... make run`, until Ctrl-C
	@$(BIN)/python -m stats_devkit.ralph_lrs

# Over HTTP: the local run in every auth mode (schemathesis included) and a real LRS, or,
# with BASE_URL=<ApiUrl> AUTH=header|jwt|iam, that deployed stage (see docs/deploy.md).
e2e: $(READY) $(if $(BASE_URL),,$(LRS_READY)) ## the HTTP suite: against the local run in every auth mode (and a real LRS), or BASE_URL=<ApiUrl> AUTH=<mode>
	BASE_URL="$(BASE_URL)" AUTH="$(AUTH)" $(BIN)/python -m pytest tests/e2e

# Read-only, so safe against prod after a deploy: an unauthenticated read is refused, reads
# of a course and a session nobody has answer 404. Part of the e2e tier in `make test`.
smoke: $(READY) ## the read-only part of e2e, safe against prod (BASE_URL=... AUTH=...)
	BASE_URL="$(BASE_URL)" AUTH="$(AUTH)" $(BIN)/python -m pytest tests/e2e -m smoke

openapi: $(READY) ## regenerate docs/openapi/<mode>.json, one per auth mode, from the route table and the rules
	$(BIN)/python -m stats_tools.openapi

clients: $(READY) ## the Python and TypeScript clients of docs/openapi/, into build/clients/, type-checked with their drivers
	$(BIN)/python -m stats_tools.clients

event-schemas: $(READY) ## regenerate docs/events/*.json, the learning events' JSON Schemas
	$(BIN)/python -m stats_tools.event_schemas

# The POST body's schema compiled to Python, so the functions need no validator library: run
# after changing a rule in session_body.py (a unit test fails while the module is stale).
validator: $(READY) ## regenerate the POST body's validator after changing a rule in session_body.py
	$(BIN)/python -m stats_tools.validator_build

# A stage deploys as cdk.json's context.stages.<stage> commits it: the release workflow runs
# this same `make deploy`. CONTEXT adds one-off context for a trial, e.g.
# `make synth STAGE=prod CONTEXT="-c history=true"`; the synth then warns, naming each key
# that differs from the committed configuration. APPROVAL=never for a shell without a TTY (CI).
STAGE ?= dev
CONTEXT ?=
APPROVAL ?= broadening

synth: $(READY) ## the STAGE's template, checked by cdk-nag, offline (no AWS credentials, no Docker)
	npx cdk synth --quiet -c stage=$(STAGE) $(CONTEXT)

deploy: $(READY) ## deploy STAGE=dev|staging|prod as cdk.json commits it (your AWS credentials)
	npx cdk deploy -c stage=$(STAGE) $(CONTEXT) --require-approval $(APPROVAL)

# Erase a learner from a deployed stage (your AWS credentials): a dry run that lists what
# it would delete, unless CONFIRM=yes. Point-in-time recovery keeps copies for 35 days. On a
# stage with an LRS it also prints what to delete there (xAPI cannot delete a statement).
# USER must come from the command line: the environment's USER is the login name.
erase: $(READY) ## erase a learner: USER=<userId> STAGE=<stage>, a dry run unless CONFIRM=yes
	@test "$(origin USER)" = "command line" || { echo "usage: make erase USER=<userId> STAGE=<stage> [CONFIRM=yes]" >&2; exit 2; }
	$(BIN)/python -m stats_tools.erasure --user "$(USER)" --stage "$${STAGE:-dev}" $(if $(filter yes,$(CONFIRM)),--confirm)

# Bring course analytics up to date with the sessions a stage already holds, once analytics
# are turned on (your AWS credentials): a dry run that counts them, unless CONFIRM=yes.
# Idempotent with the stream and with itself (docs/design.md, "Turning analytics on").
analytics-backfill: $(READY) ## count a stage's earlier sessions into course analytics: STAGE=<stage> [CONFIRM=yes]
	$(BIN)/python -m stats_tools.analytics_backfill --stage "$${STAGE:-dev}" $(if $(filter yes,$(CONFIRM)),--confirm)

clean: ## remove what the targets installed and built
	rm -rf $(VENV) $(LRS_VENV) node_modules cdk.out .pytest_cache .mypy_cache .ruff_cache

# Benchmarks: not part of `make test` (a few minutes). Regenerates docs/benchmarks.md and
# docs/benchmarks.png and prints a summary; matplotlib is installed only for this target.
BENCH_READY := $(VENV)/.bench-ready
.PHONY: bench

$(BENCH_READY): requirements-bench.txt $(READY)
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	touch $@

bench: $(BENCH_READY) $(LRS_READY) ## not in make test (~8-10 min): regenerate docs/benchmarks.md and .png
	$(BIN)/python -m bench

# Mutation testing: not part of `make test` (about an hour on 2 busy cores). mutmut mutates the
# rules, the session store, the cursors and the identity code and runs tests/unit against each
# mutant; it prints the score and every surviving mutant (see docs/mutation.md).
# MUTATION_ARGS="'stats_api.learner_stats*'" runs only some; MUTATION_ARGS=--survivors re-runs the
# last run's survivors against the current tests, --report prints the last run again.
# mutmut is installed only for this target.
MUTATION_READY := $(VENV)/.mutation-ready
.PHONY: mutation

$(MUTATION_READY): requirements-mutation.txt $(READY)
	$(BIN)/python -m pip install --quiet -r requirements-mutation.txt
	touch $@

mutation: $(MUTATION_READY) ## not in make test (about an hour): mutmut over the rules against tests/unit
	$(BIN)/python -m mutation $(MUTATION_ARGS)
