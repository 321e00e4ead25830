# posbridge. The two set-up commands on a fresh machine are `make run` and `make test`
# (README.md). Everything they need is installed here: Python venvs for the local AWS-compatible
# server (moto) and the template linters; Rust crates through cargo.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3
AWS_VENV    ?= .venv-aws
MOTO_VERSION = 5.2.5
MOTO_PORT   ?= 5055
MOTO_URL     = http://127.0.0.1:$(MOTO_PORT)
CARGO_FLAGS ?= --locked

# The SDK reads these; no AWS account is used anywhere in tests.
AWS_TEST_ENV = AWS_ENDPOINT_URL=$(MOTO_URL) AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test

.PHONY: help test test-rust lint lint-infra build run aws-up aws-down fmt clippy bench

help:
	@echo "make run    - the local stack (embedded storage and queue, emulators, every function over HTTP)"
	@echo "make test   - every test: unit, conformance (embedded + local AWS server), emulators, template lint"
	@echo "make lint   - offline checks of infra/template.yaml"
	@echo "make build  - build every function (cargo-lambda for Lambda: see README)"
	@echo "make bench  - benchmarks"

$(AWS_VENV)/bin/moto_server:
	$(PYTHON) -m venv $(AWS_VENV)
	$(AWS_VENV)/bin/pip install -q --disable-pip-version-check 'moto[server]==$(MOTO_VERSION)'

# Starts moto in the background unless one already answers on MOTO_PORT.
aws-up: $(AWS_VENV)/bin/moto_server
	@if curl -sf $(MOTO_URL)/moto-api/ >/dev/null 2>&1; then echo "moto already on $(MOTO_URL)"; else \
	  $(AWS_VENV)/bin/moto_server -H 127.0.0.1 -p $(MOTO_PORT) > .moto.log 2>&1 & echo $$! > .moto.pid; \
	  for i in $$(seq 1 100); do curl -sf $(MOTO_URL)/moto-api/ >/dev/null 2>&1 && exit 0; sleep 0.1; done; \
	  echo "moto did not start:"; cat .moto.log; exit 1; fi

aws-down:
	-@if [ -f .moto.pid ]; then kill $$(cat .moto.pid) 2>/dev/null; rm -f .moto.pid; fi

# Rust tests with moto up for the AWS half of the conformance suite; moto stops either way.
test-rust: aws-up
	@$(AWS_TEST_ENV) cargo test --workspace $(CARGO_FLAGS); rc=$$?; $(MAKE) --no-print-directory aws-down; exit $$rc

# Offline checks of the SAM template (makes .venv-cfn on first use).
lint: lint-infra
lint-infra:
	scripts/lint-infra.sh

test: test-rust lint-infra

build:
	cargo build --workspace $(CARGO_FLAGS)

fmt:
	cargo fmt --all

clippy:
	cargo clippy --workspace --all-targets $(CARGO_FLAGS) -- -D warnings
